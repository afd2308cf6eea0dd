-- A scenario that runs to the end but whose expectation does not hold: exit 1, the
-- FAIL line names the file and line of the sim.expect, the results are written.
-- exit: 1
-- stdout: FAIL  
-- stdout: expect_fails.lua:13
-- stdout: writes >100
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	f:pwrite(0, 4096)
	f:fsync()
end)
sim.scenario{ name = "expect-fails", policies = { "unrestricted" } }
sim.expect{ ["*"] = { writes = ">100", lost_writes = 0 } }
