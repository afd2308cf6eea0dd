-- A number of bytes past 2^63.
-- exit: 2
-- stderr: size_huge_number.lua:4: sim.file: size: too large
local f = sim.file{ name = "data", size = 1e300 }
