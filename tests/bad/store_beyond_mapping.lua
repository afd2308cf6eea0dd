-- A store past the end of the mapping (though inside the file).
-- exit: 2
-- stderr: store_beyond_mapping.lua:8: m:store: offset 262144 + length 4096 lies outside mapping of file 'data' (262144 bytes)
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("writer", function()
	m:store(m:size(), 4096)
end, { process = p })
