-- sim.expect belongs to the top level.
-- exit: 2
-- stderr: expect_in_task.lua:6: sim.expect may only be called at the top level
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("late", function()
	sim.expect{ ["*"] = { lost_writes = 0 } }
end)
