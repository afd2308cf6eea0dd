-- sim.expect names an option the policy does not have.
-- exit: 2
-- stderr: expect_unknown_option.lua:6: sim.expect["page-fork:refork=never"]:
-- stderr: bad value "never" for refork
local f = sim.file{ name = "data", size = "1MiB" }
sim.expect{ ["page-fork:refork=never"] = { lost_writes = 0 } }
