-- The op-log tests' scenario (replay.sh): every kind of synchronisation a log keeps
-- (events, joins, a task spawned by a task, a yield) and a pin, a store and an
-- msync.  The waiter and the setter's join block; the late task meets an event and
-- a task that are done long before it gets there, which the log must still say.
sim.scenario{ name = "cli-replay", description = "events, joins, a spawned task, a pin",
              policies = { "wait-on-writeback", "page-fork" } }
local f = sim.file{ name = "data", size = "256KiB" }
local p = sim.process{ name = "app" }
local m = p:mmap(f)
local ready = sim.event("ready")
local go = sim.event("go")
local setter = sim.spawn("setter", function()
	f:pwrite(0, 4096)
	ready:set()
	local child = sim.spawn("child", function() f:fsync() end)
	child:join()
end)
sim.spawn("late", function()
	sim.sleep("5ms")
	ready:wait()
	setter:join()
	local pin = m:pin(0, 8192)
	pin:write(0, 512)
	pin:release()
	m:store(4096, 8)
	m:msync()
	sim.yield()
	f:fdatasync()
	go:set()
end, { process = p })
sim.spawn("waiter", function()
	go:wait()               -- from the start until the late task's end: it blocks
	f:pwrite(8192, 4096)
end)
sim.expect{ ["*"] = { lost_writes = 0, ["fsync.count"] = 2 } }
