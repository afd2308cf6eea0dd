-- One mapping of 16 TiB: more than the 64 GiB a mapping may have.
-- exit: 2
-- stderr: size_absurd_mapping.lua:6: proc:mmap: size 17592186044416 bytes is absurd (at most 64 GiB per mapping)
local f = sim.file{ name = "data", size = "16TiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f)
