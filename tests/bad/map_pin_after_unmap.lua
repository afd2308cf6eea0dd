-- get_user_pages on a mapping that is gone.
-- exit: 2
-- stderr: map_pin_after_unmap.lua:9: m:pin: the mapping of file 'data' was unmapped at
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("pinner", function()
	m:unmap()
	local pin = m:pin(0, 4096)
end, { process = p })
