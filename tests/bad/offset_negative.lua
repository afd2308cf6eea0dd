-- A negative offset.
-- exit: 2
-- stderr: offset_negative.lua:6: f:pread: offset: must not be negative (got -4096)
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("reader", function()
	f:pread(-4096, 4096)
end)
