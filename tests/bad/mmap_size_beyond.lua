-- A mapping that runs past the end of the file.
-- exit: 2
-- stderr: mmap_size_beyond.lua:6: proc:mmap: offset 524288 + size 1048576 lies outside file 'data'
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "512KiB", size = "1MiB" })
