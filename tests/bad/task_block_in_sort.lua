-- Blocking where Lua cannot yield (a table.sort comparator).
-- exit: 2
-- stderr: task_block_in_sort.lua:8: sim.sleep: cannot block here
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("sorter", function()
	local t = { 3, 1, 2 }
	table.sort(t, function(a, b)
		sim.sleep("1us")
		return a < b
	end)
end)
