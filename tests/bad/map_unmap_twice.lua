-- munmap twice.
-- exit: 2
-- stderr: map_unmap_twice.lua:10: m:unmap: the mapping of file 'data' was unmapped at
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("writer", function()
	m:store(0, 4096)
	m:unmap()
	m:unmap()
end, { process = p })
