-- msync of a range past the end of the mapping.
-- exit: 2
-- stderr: msync_beyond_mapping.lua:9: m:msync: offset 258048 + length 8192 lies outside mapping of file 'data'
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("syncer", function()
	m:store(0, 4096)
	m:msync(258048, 8192)
end, { process = p })
