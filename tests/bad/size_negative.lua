-- A negative file size.
-- exit: 2
-- stderr: size_negative.lua:4: sim.file: size: must not be negative (got -4096)
local f = sim.file{ name = "data", size = -4096 }
