-- An offset and a length whose sum wraps around 2^64.
-- exit: 2
-- stderr: offset_wraps.lua:6: f:pwrite: offset 18446742974197923840 + length 1099511627776 lies outside file 'data'
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	f:pwrite("16777215TiB", "1TiB")
end)
