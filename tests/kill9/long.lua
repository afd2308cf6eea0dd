-- A compare long enough to be killed in the middle (tests/kill9/compare.sh): writers
-- and fsyncs for `duration` of simulated time; `variant` changes the workload, so
-- every result file of one variant differs from the other's.
sim.scenario{ name = "kill9", description = "killed mid-way on purpose",
              policies = { "wait-on-writeback", "page-fork" } }
local variant = sim.param("variant", 0, "0 or 1: which results to write")
local duration = sim.param("duration", 0.2, "seconds of simulated time")
sim.device{ integrity = true }
sim.writeback{ interval = "5ms", expire = "10ms" }
local f = sim.file{ name = "data", size = "4MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f)
for w = 1, 2 do
	sim.spawn("writer-" .. w, function()
		while sim.now() < duration do
			f:pwrite(sim.randint(0, 1022) * sim.PAGE_SIZE, 4096 * (1 + variant))
			m:store(sim.randint(0, 1023) * sim.PAGE_SIZE, 256)
			sim.sleep("50us")
		end
		f:fsync()
	end, { process = p })
end
sim.expect{ ["*"] = { writes = ">0" } }
