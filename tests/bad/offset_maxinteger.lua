-- The largest Lua integer as an offset.
-- exit: 2
-- stderr: offset_maxinteger.lua:8: m:load: offset 9223372036854775807 + length 4096 lies outside mapping of file 'data'
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f)
sim.spawn("reader", function()
	m:load(math.maxinteger, 4096)
end, { process = p })
