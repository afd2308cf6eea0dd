-- A negative size as a string.
-- exit: 2
-- stderr: size_negative_string.lua:4: sim.file: size: bad size "-4KiB"
local f = sim.file{ name = "data", size = "-4KiB" }
