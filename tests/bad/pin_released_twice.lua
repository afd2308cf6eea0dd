-- A pin released twice: the second release names where the first was.
-- exit: 2
-- stderr: pin_released_twice.lua:12: pin:release: the pin was released at
-- stderr: pin_released_twice.lua:11
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("pinner", function()
	local pin = m:pin(0, 8192)
	pin:write(0, 4096)
	pin:release()
	pin:release()
end, { process = p })
