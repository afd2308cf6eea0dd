-- A fraction of a byte.
-- exit: 2
-- stderr: size_fractional.lua:4: sim.file: size: expected a whole number of bytes, got 4096.5
local f = sim.file{ name = "data", size = 4096.5 }
