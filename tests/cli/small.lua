-- The command-line tests' scenario: two writers, a reader and an fsync each,
-- small enough to run in milliseconds under every policy.
sim.scenario{ name = "cli-small", description = "two writers and an fsync each",
              policies = { "wait-on-writeback", "unrestricted" } }
local writes = sim.param("writes", 20, "buffered writes per writer")
sim.device{ integrity = true }
sim.writeback{ interval = "5ms", expire = "10ms" }
local f = sim.file{ name = "data", size = "1MiB" }
for i = 1, 2 do
	sim.spawn("writer-" .. i, function()
		for n = 1, writes do
			f:pwrite(((i - 1) * 64 + n % 16) * sim.PAGE_SIZE, sim.PAGE_SIZE)
			sim.sleep("1ms")
		end
		f:fsync()
	end)
end
sim.expect{ ["*"] = { lost_writes = 0, ["write.count"] = ">0" } }
