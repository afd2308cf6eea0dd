-- A read that starts inside the file and ends outside it.
-- exit: 2
-- stderr: offset_straddles_file.lua:6: f:pread: offset 1044480 + length 8192 lies outside file 'data'
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("reader", function()
	f:pread(1044480, 8192)
end)
