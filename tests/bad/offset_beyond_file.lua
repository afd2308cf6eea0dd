-- A write past the end of the file.
-- exit: 2
-- stderr: offset_beyond_file.lua:7: f:pwrite: offset 1048576 + length 4096 lies outside file 'data' (1048576 bytes)
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	f:pwrite(0, 4096)
	f:pwrite("1MiB", 4096)
end)
