-- A Lua runtime error deep inside a task, after simulated time has passed.
-- exit: 2
-- stderr: task 'reader'
-- stderr: task_nil_index.lua:7: attempt to index a nil value (local 'cfg')
local f = sim.file{ name = "data", size = "1MiB" }
local function block_of(cfg)
	return cfg.block
end
sim.spawn("reader", function()
	f:pread(0, 4096)
	sim.sleep("3ms")
	f:pread(block_of(nil), 4096)
end)
