-- O_DIRECT with an offset that is not sector-aligned.
-- exit: 2
-- stderr: dio_unaligned.lua:6: f:dio_write: O_DIRECT needs the offset, the length aligned to 512 bytes (got offset 100, length 4096)
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("direct", function()
	f:dio_write(100, 4096)
end)
