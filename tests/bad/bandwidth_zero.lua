-- A device that moves no bytes.
-- exit: 2
-- stderr: bandwidth_zero.lua:4: sim.device: bandwidth: must be at least 1 (got 0)
sim.device{ bandwidth = 0 }
