-- The sweep tests' scenario (sweep*.sh): writers storing through a shared mapping of
-- a checksumming device, so that the policies differ, in a few ms of simulated time.
-- One parameter of each type, for the grid's type checks.
sim.scenario{ name = "cli-sweep", description = "stores racing writeback, swept",
              policies = { "wait-on-writeback", "unrestricted" } }
local writers = sim.param("writers", 2, "tasks storing into the mapping")
local depth = sim.param("depth", 4, "device queue depth")
local gap = sim.param("gap", 0.0002, "seconds between two stores of a writer")
local label = sim.param("label", "plain", "a string, only for the grid's type checks")
local sync = sim.param("sync", true, "fsync at the end of each writer")
local stores = sim.param("stores", 30, "stores per writer: the length of a run")
assert(type(label) == "string")
sim.device{ integrity = true, queue_depth = depth }
sim.writeback{ interval = "1ms", expire = "1ms" }
local f = sim.file{ name = "data", size = "256KiB" }
local p = sim.process{ name = "app" }
local m = p:mmap(f)
for w = 1, writers do
	sim.spawn("writer-" .. w, function()
		for _ = 1, stores do
			m:store(sim.randint(0, 63) * sim.PAGE_SIZE, 64)
			sim.sleep(gap)
		end
		if sync then f:fsync() end
	end, { process = p })
end
sim.expect{ ["*"] = { stores = ">0" } }
