-- A task joining itself would never finish: refused at once.
-- exit: 2
-- stderr: deadlock_self_join.lua:7: task:join: task 'me' cannot wait for itself to finish
local me
me = sim.spawn("me", function()
	sim.sleep("1ms")
	me:join()
end)
