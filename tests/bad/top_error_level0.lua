-- error(msg, 0) at the top level: no position of its own, the binding adds it.
-- exit: 2
-- stderr: top_error_level0.lua:5: no position here
local f = sim.file{ name = "data", size = "1MiB" }
error("no position here", 0)
