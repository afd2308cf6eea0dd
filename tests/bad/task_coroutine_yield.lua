-- coroutine.yield() in a task's own code would tear it out of the simulation.
-- exit: 2
-- stderr: task_coroutine_yield.lua:7: coroutine.yield() called outside a coroutine
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	f:pwrite(0, 4096)
	coroutine.yield()
end)
