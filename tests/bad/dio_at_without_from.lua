-- 'at' is an offset into 'from': without one it means nothing.
-- exit: 2
-- stderr: dio_at_without_from.lua:6: f:dio_write: 'at' is an offset into the mapping or Buffer given as 'from', and there is none
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("direct", function()
	f:dio_write(0, 4096, { at = 0 })
end)
