-- An infinite size.
-- exit: 2
-- stderr: size_infinite.lua:4: sim.file: size: too large
local f = sim.file{ name = "data", size = math.huge }
