-- An event nobody sets, while other work finishes.
-- exit: 2
-- stderr: deadlock_event.lua: deadlock at t=
-- stderr: deadlock_event.lua:12 waits for event 'go' (created at
-- stderr: deadlock_event.lua:7), which no task sets
local f = sim.file{ name = "data", size = "1MiB" }
local go = sim.event("go")
sim.spawn("writer", function()
	f:pwrite(0, 4096)
end)
sim.spawn("waiter", function()
	go:wait()
	f:fsync()
end)
