-- A file larger than the model's 16 TiB.
-- exit: 2
-- stderr: size_absurd_file.lua:4: sim.file: size 1125899906842624 bytes is absurd (at most 16 TiB)
local f = sim.file{ name = "data", size = "1024TiB" }
