-- The op-log tests' scenario (replay.sh): every kind of synchronisation a log keeps
-- (an event, joins, a task spawned by a task, a yield) and a pin, a store and an
-- msync; the late task meets an event and a task that are done long before it gets
-- there, which the log must still say.
sim.scenario{ name = "cli-replay", description = "events, joins, a spawned task, a pin",
              policies = { "wait-on-writeback", "page-fork" } }
local f = sim.file{ name = "data", size = "256KiB" }
local p = sim.process{ name = "app" }
local m = p:mmap(f)
local ready = sim.event("ready")
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
end, { process = p })
sim.expect{ ["*"] = { lost_writes = 0, ["fsync.count"] = 2 } }
