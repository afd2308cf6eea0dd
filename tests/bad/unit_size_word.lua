-- A size that is not one.
-- exit: 2
-- stderr: unit_size_word.lua:4: sim.file: size: bad size "lots": expected a number of bytes, optionally with a unit
local f = sim.file{ name = "data", size = "lots" }
