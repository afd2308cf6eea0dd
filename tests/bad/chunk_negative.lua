-- A negative whole number where a count is wanted.
-- exit: 2
-- stderr: chunk_negative.lua:4: sim.writeback: chunk: must be between 1 and 1048576 (got -5)
sim.writeback{ chunk = -5 }
