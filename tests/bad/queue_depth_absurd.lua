-- A queue depth past every integer type.
-- exit: 2
-- stderr: queue_depth_absurd.lua:4: sim.device: queue_depth: must be between 1 and 65536 (got 1e+300)
sim.device{ queue_depth = 1e300 }
