-- A task that never blocks: stopped by the instruction budget, pcall or not.
-- exit: 2
-- stderr: runaway_task.lua:12: task 'spinner' executed more than 100000000 Lua instructions without simulated time advancing
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	f:pwrite(0, 4096)
end)
sim.spawn("spinner", function()
	f:pwrite(4096, 4096)
	local n = 0
	while true do
		n = n + 1
	end
end)
