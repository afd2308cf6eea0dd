-- A pin kept across munmap is still the pin holder's: writing through it is fine,
-- releasing it twice is not.
-- exit: 2
-- stderr: pin_across_unmap.lua:16: pin:release: the pin was released at
-- stderr: pin_across_unmap.lua:15
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("pinner", function()
	local pin = m:pin(0, 8192)
	m:unmap()
	pin:write(0, 8192)
	sim.sleep("10ms")
	pin:write(4096, 4096)
	pin:release()
	pin:release()
end, { process = p })
