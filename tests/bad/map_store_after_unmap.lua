-- A store through a mapping after munmap.
-- exit: 2
-- stderr: map_store_after_unmap.lua:11: m:store: the mapping of file 'data' was unmapped at
-- stderr: map_store_after_unmap.lua:10
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("writer", function()
	m:store(0, 4096)
	m:unmap()
	m:store(0, 4096)
end, { process = p })
