-- A predicate whose duration does not parse.
-- exit: 2
-- stderr: unit_predicate.lua:5: sim.expect["*"]: bad predicate "<5 parsecs" for write.p99
local f = sim.file{ name = "data", size = "1MiB" }
sim.expect{ ["*"] = { ["write.p99"] = "<5 parsecs" } }
