-- error(msg, 0) adds no position of its own: the binding adds it.
-- exit: 2
-- stderr: task_error_level0.lua:7: no position
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	f:pwrite(0, 4096)
	error("no position", 0)
end)
