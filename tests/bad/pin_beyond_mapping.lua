-- A pin of pages past the end of the mapping.
-- exit: 2
-- stderr: pin_beyond_mapping.lua:8: m:pin: offset 0 + length 266240 lies outside mapping of file 'data'
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("pinner", function()
	local pin = m:pin(0, 266240)
end, { process = p })
