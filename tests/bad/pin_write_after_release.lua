-- pin:write after the pin was released.
-- exit: 2
-- stderr: pin_write_after_release.lua:11: pin:write: the pin was released at
-- stderr: pin_write_after_release.lua:10
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("pinner", function()
	local pin = m:pin(0, 8192)
	pin:release()
	pin:write(0, 4096)
end, { process = p })
