-- A CPU the model does not have.
-- exit: 2
-- stderr: cpu_out_of_range.lua:4: sim.spawn: cpu must be an integer from 0 to 255, got 256
sim.spawn("far", function() end, { cpu = 256 })
