-- A mapping offset that is not page-aligned.
-- exit: 2
-- stderr: mmap_offset_unaligned.lua:6: proc:mmap: offset 100 is not a multiple of sim.PAGE_SIZE (4096)
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = 100 })
