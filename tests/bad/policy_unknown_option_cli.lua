-- An option the policy does not have, on the command line.
-- exit: 2
-- args: --policy page-fork:colour=blue
-- stderr: policy page-fork has no option "colour"
-- noline: the mistake is in the command line; the scenario is fine
local f = sim.file{ name = "data", size = "1MiB" }
