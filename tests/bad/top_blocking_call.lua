-- A blocking call at the top level: operations belong inside tasks.
-- exit: 2
-- stderr: top_blocking_call.lua:5: f:pwrite must be called inside a task
local f = sim.file{ name = "data", size = "1MiB" }
f:pwrite(0, 4096)
