-- A string left open.
-- exit: 2
-- stderr: syntax_unfinished_string.lua:5:
-- stderr: unfinished string
sim.scenario{ name = "oops }
local f = sim.file{ name = "data", size = "1MiB" }
