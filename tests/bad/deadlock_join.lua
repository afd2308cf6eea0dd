-- Two tasks each waiting for the other to finish.
-- exit: 2
-- stderr: deadlock_join.lua: deadlock at t=
-- stderr: deadlock_join.lua:9 waits for task 'b' to finish
-- stderr: deadlock_join.lua:13 waits for task 'a' to finish
local a, b
a = sim.spawn("a", function()
	sim.sleep("1ms")
	b:join()
end)
b = sim.spawn("b", function()
	sim.sleep("2ms")
	a:join()
end)
