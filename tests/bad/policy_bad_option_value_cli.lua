-- A value the option does not take, on the command line.
-- exit: 2
-- args: --policy page-fork:pins=sometimes
-- stderr: pins
-- stderr: sometimes
-- noline: the mistake is in the command line; the scenario is fine
local f = sim.file{ name = "data", size = "1MiB" }
