-- A declared policy with an option it does not have.
-- exit: 2
-- stderr: policy_unknown_option_declared.lua:5: sim.scenario: policies[1]:
-- stderr: policy page-fork has no option "pin"
sim.scenario{ name = "typo", policies = { "page-fork:pin=ignore" } }
local f = sim.file{ name = "data", size = "1MiB" }
