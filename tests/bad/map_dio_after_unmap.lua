-- A direct write from a buffer that was unmapped by another task of the process.
-- exit: 2
-- stderr: map_dio_after_unmap.lua:14: f:dio_write: the mapping of file 'data' was unmapped at
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
local gone = sim.event("unmapped")
sim.spawn("unmapper", function()
	m:unmap()
	gone:set()
end, { process = p })
sim.spawn("direct", function()
	gone:wait()
	f:dio_write(0, 4096, { from = m, at = 0 })
end, { process = p })
