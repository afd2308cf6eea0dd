-- A flusher that would wake up continuously.
-- exit: 2
-- stderr: interval_zero.lua:4: sim.writeback: interval: must be at least 1000 (got 0ns)
sim.writeback{ interval = 0 }
