-- sim.expect names a policy that is not installed.
-- exit: 2
-- stderr: expect_unknown_policy.lua:5: sim.expect["stable-pages"]: unknown policy "stable-pages"
local f = sim.file{ name = "data", size = "1MiB" }
sim.expect{ ["stable-pages"] = { lost_writes = 0 } }
