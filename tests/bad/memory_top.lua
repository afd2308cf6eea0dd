-- A top level that allocates without bound hits --mem-limit.
-- exit: 2
-- args: --mem-limit 16MiB
-- stderr: memory_top.lua:8: Lua memory limit of 16MiB exceeded in the scenario's top level
local f = sim.file{ name = "data", size = "1MiB" }
local hoard = {}
for i = 1, math.maxinteger do
	hoard[i] = ("x"):rep(100) .. i
end
