-- A device that serves nothing.
-- exit: 2
-- stderr: queue_depth_zero.lua:4: sim.device: queue_depth: must be between 1 and 65536 (got 0)
sim.device{ queue_depth = 0 }
