-- A write of zero bytes.
-- exit: 2
-- stderr: length_zero.lua:6: f:pwrite: the length must be positive
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	f:pwrite(0, 0)
end)
