-- sync_file_range past the end of the file (length 0 means "to the end").
-- exit: 2
-- stderr: sync_range_beyond.lua:6: f:sync_range: offset 2097152 + length 1 lies outside file 'data'
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("syncer", function()
	f:sync_range("2MiB", 0, "write")
end)
