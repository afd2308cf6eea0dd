-- A negative length.
-- exit: 2
-- stderr: length_negative.lua:8: m:store: length: must not be negative (got -1)
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f)
sim.spawn("writer", function()
	m:store(0, -1)
end, { process = p })
