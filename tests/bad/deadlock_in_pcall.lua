-- A deadlock reached from inside pcall and a nested function.
-- exit: 2
-- stderr: deadlock_in_pcall.lua: deadlock at t=
-- stderr: deadlock_in_pcall.lua:7 waits for event (created at
local never = sim.event()
local function wait_for_it()
	never:wait()
end
sim.spawn("waiter", function()
	local ok, err = pcall(wait_for_it)
	error("unreachable")
end)
