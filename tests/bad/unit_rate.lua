-- A bandwidth that is not a rate.
-- exit: 2
-- stderr: unit_rate.lua:4: sim.device: bandwidth: bad rate "fast"
sim.device{ bandwidth = "fast" }
