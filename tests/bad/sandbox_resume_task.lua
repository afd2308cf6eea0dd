-- A task's own coroutine cannot be resumed from another task.
-- exit: 2
-- stderr: sandbox_resume_task.lua:11: coroutine.resume: not allowed on a task's own coroutine
local victim_co
sim.spawn("victim", function()
	victim_co = coroutine.running()
	sim.sleep("1s")
end)
sim.spawn("attacker", function()
	sim.sleep("1ms")
	coroutine.resume(victim_co)
end)
