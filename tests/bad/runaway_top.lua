-- An endless loop at the top level.
-- exit: 2
-- stderr: runaway_top.lua:7: the scenario's top level executed more than 100000000 Lua instructions
local f = sim.file{ name = "data", size = "1MiB" }
local t = {}
while true do
	t[1] = #t
end
