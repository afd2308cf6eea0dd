-- The scenario's first declared policy is run when --policy is not given; it does
-- not exist, and the message points at the declaration.
-- exit: 2
-- stderr: policy_unknown_declared.lua:7: sim.scenario: policies[1]:
-- stderr: unknown policy "page-forking"
local f = sim.file{ name = "data", size = "1MiB" }
sim.scenario{ name = "typo", policies = { "page-forking", "unrestricted" } }
