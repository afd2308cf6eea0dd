-- A direct write whose source buffer runs past the end of its mapping.
-- exit: 2
-- stderr: dio_from_beyond_mapping.lua:8: f:dio_write: from: offset 258048 + length 8192 lies outside mapping of file 'data'
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("direct", function()
	f:dio_write(0, 8192, { from = m, at = 258048 })
end, { process = p })
