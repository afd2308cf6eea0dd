-- A bad duration given to an operation inside a task, after time has passed.
-- exit: 2
-- stderr: task 'sleeper'
-- stderr: unit_in_task.lua:8: sim.sleep: bad duration "soon"
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("sleeper", function()
	f:pwrite(0, 4096)
	sim.sleep("soon")
end)
