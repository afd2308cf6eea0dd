-- A machine without memory.
-- exit: 2
-- stderr: memory_zero.lua:4: sim.writeback: memory: must be between 1048576 and 1125899906842624 (got 0)
sim.writeback{ memory = 0 }
