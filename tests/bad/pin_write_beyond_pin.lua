-- A pin holder writing past the end of the pin.
-- exit: 2
-- stderr: pin_write_beyond_pin.lua:11: pin:write: offset 8192 + length 4096 lies outside pin of file 'data' (8192 bytes)
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("pinner", function()
	local pin = m:pin(0, 8192)
	pin:write(4096, 4096)
	pin:write(4096, 4096)
	pin:write(8192, 4096)
end, { process = p })
