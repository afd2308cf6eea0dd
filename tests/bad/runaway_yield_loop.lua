-- sim.yield() does not let simulated time pass: a loop of yields is still runaway
-- if nothing else moves time... but here another task sleeps, so time moves and the
-- loop is only long.  The spinner then spins without yielding at all.
-- exit: 2
-- stderr: runaway_yield_loop.lua:13: task 'spinner' executed more than 100000000 Lua instructions
sim.spawn("sleeper", function()
	sim.sleep("1ms")
end)
sim.spawn("spinner", function()
	for i = 1, 100 do
		sim.yield()
	end
	repeat until false
end)
