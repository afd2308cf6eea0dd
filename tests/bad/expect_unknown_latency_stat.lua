-- A latency statistic that is not kept (p95).
-- exit: 2
-- stderr: expect_unknown_latency_stat.lua:5: sim.expect["*"]: unknown metric 'write.p95'
local f = sim.file{ name = "data", size = "1MiB" }
sim.expect{ ["*"] = { ["write.p95"] = "<1ms" } }
