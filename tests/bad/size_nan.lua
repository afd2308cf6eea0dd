-- Not a number at all.
-- exit: 2
-- stderr: size_nan.lua:4: sim.file: size: expected a number of bytes, got nan
local f = sim.file{ name = "data", size = 0 / 0 }
