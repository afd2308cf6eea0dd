-- --set of a parameter the scenario does not declare.
-- exit: 2
-- args: --set writter=8
-- stderr: set_undeclared.lua: --set writter: the scenario has no parameter "writter"; its parameters (sim.param) are: writers, rounds
-- noline: --set is on the command line: no line of the scenario declares it
local writers = sim.param("writers", 4, "writer tasks")
local rounds = sim.param("rounds", 10, "writes per writer")
local f = sim.file{ name = "data", size = "1MiB" }
