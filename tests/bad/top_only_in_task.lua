-- sim.device belongs to the top level.
-- exit: 2
-- stderr: top_only_in_task.lua:6: sim.device may only be called at the top level
sim.spawn("late", function()
	sim.sleep("1ms")
	sim.device{ integrity = true }
end)
