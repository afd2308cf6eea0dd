-- --set on a scenario without parameters.
-- exit: 2
-- args: --set writers=8
-- stderr: set_no_params.lua: --set writers: the scenario declares no parameters
-- noline: --set is on the command line: no line of the scenario declares it
local f = sim.file{ name = "data", size = "1MiB" }
