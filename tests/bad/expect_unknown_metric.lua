-- A metric that does not exist, with a suggestion.
-- exit: 2
-- stderr: expect_unknown_metric.lua:5: sim.expect["*"]: unknown metric 'lost_write'; did you mean 'lost_writes'?
local f = sim.file{ name = "data", size = "1MiB" }
sim.expect{ ["*"] = { lost_write = 0 } }
