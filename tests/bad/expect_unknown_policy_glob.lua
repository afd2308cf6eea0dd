-- A glob whose policy name has no '*' is checked too.
-- exit: 2
-- stderr: expect_unknown_policy_glob.lua:5: sim.expect["page-frok:*"]: unknown policy "page-frok"
local f = sim.file{ name = "data", size = "1MiB" }
sim.expect{ ["page-frok:*"] = { lost_writes = 0 } }
