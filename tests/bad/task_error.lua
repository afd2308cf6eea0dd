-- error() inside a task stops the run; the message names the task and the line.
-- exit: 2
-- stderr: task 'writer'
-- stderr: task_error.lua:9: the disk is on fire
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	f:pwrite(0, 4096)
	sim.sleep("1ms")
	error("the disk is on fire")
end)
