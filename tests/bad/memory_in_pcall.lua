-- pcall catches Lua's own "not enough memory", but the run stops all the same at
-- the next allocation check: the limit is for good.
-- exit: 2
-- args: --mem-limit 16MiB
-- stderr: memory_in_pcall.lua:6: Lua memory limit of 16MiB exceeded in task 'greedy'
sim.spawn("greedy", function()
	sim.sleep("1ms")
	for i = 1, 100 do
		pcall(string.rep, "x", 64 * 1024 * 1024)
	end
	sim.sleep("1ms")
end)
