-- A scenario with a malformed size on line 4: an input error, exit 2.
sim.scenario{ name = "cli-bad", description = "a malformed size" }
local n = 1
local f = sim.file{ name = "data", size = "lots" }
