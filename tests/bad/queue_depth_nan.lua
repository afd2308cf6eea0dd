-- Not a number, where a whole number is wanted.
-- exit: 2
-- stderr: queue_depth_nan.lua:4: sim.device: queue_depth: expected a whole number, got
sim.device{ queue_depth = 0 / 0 }
