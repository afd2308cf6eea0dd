-- A mapping that starts past the end of the file.
-- exit: 2
-- stderr: mmap_offset_beyond.lua:6: proc:mmap: offset 2097152 lies outside file 'data' (1048576 bytes)
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "2MiB" })
