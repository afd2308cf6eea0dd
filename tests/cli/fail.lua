-- One expectation that fails under every policy and one that holds, both
-- declared on line 8.
sim.scenario{ name = "cli-fail", description = "an expectation that cannot hold",
              policies = { "unrestricted" } }
local f = sim.file{ name = "data", size = "64KiB" }
sim.spawn("writer", function() f:pwrite(0, 4096) end)

sim.expect{ ["*"] = { ["write.count"] = 0, lost_writes = 0 } }
