-- Sleeping backwards.
-- exit: 2
-- stderr: sleep_negative.lua:5: sim.sleep: bad number of seconds "-0.001": must not be negative
sim.spawn("sleeper", function()
	sim.sleep(-0.001)
end)
