-- --set with a value of the wrong type for the parameter: the line of sim.param.
-- exit: 2
-- args: --set writers=many
-- stderr: set_wrong_type.lua:7: --set writers=many: expected an integer (the default of writers is 4)
local f = sim.file{ name = "data", size = "1MiB" }
local rounds = sim.param("rounds", 10, "writes per writer")
local writers = sim.param("writers", 4, "writer tasks")
