-- A predicate that does not parse.
-- exit: 2
-- stderr: expect_bad_predicate.lua:5: sim.expect["*"]: bad predicate "about 5ms" for write.p99
local f = sim.file{ name = "data", size = "1MiB" }
sim.expect{ ["*"] = { ["write.p99"] = "about 5ms" } }
