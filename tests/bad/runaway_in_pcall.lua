-- A runaway loop inside pcall: pcall cannot swallow the budget.
-- exit: 2
-- stderr: runaway_in_pcall.lua:9: task 'spinner' executed more than 100000000 Lua instructions
sim.spawn("spinner", function()
	sim.sleep("1ms")
	while true do
		local ok = pcall(function()
			for i = 1, 1e9 do
				local x = i * 2
			end
		end)
	end
end)
