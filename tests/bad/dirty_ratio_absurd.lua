-- A ratio above 100 %.
-- exit: 2
-- stderr: dirty_ratio_absurd.lua:4: sim.writeback: dirty_ratio: must be between 1 and 100 (got 250)
sim.writeback{ dirty_ratio = 250 }
