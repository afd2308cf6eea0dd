-- An empty file.
-- exit: 2
-- stderr: size_zero.lua:4: sim.file: size must be positive
local f = sim.file{ name = "data", size = "0KiB" }
