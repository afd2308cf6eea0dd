-- A task that allocates without bound, after simulated time has passed.
-- exit: 2
-- args: --mem-limit 16MiB
-- stderr: task 'hoarder'
-- stderr: memory_task.lua:11: Lua memory limit of 16MiB exceeded in task 'hoarder'
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("hoarder", function()
	f:pwrite(0, 4096)
	local hoard = {}
	while true do
		hoard[#hoard + 1] = { f:size(), "a string to keep" }
	end
end)
