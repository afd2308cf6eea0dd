-- A pin released by another task, then released again by its owner.
-- exit: 2
-- stderr: pin_released_elsewhere.lua:17: pin:release: the pin was released at
-- stderr: pin_released_elsewhere.lua:11
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
local shared, ready = nil, sim.event("pinned")
sim.spawn("releaser", function()
	ready:wait()
	shared:release()
end)
sim.spawn("pinner", function()
	shared = m:pin(0, 4096)
	ready:set()
	sim.sleep("1ms")
	shared:release()
end, { process = p })
