-- A module with a syntax error: the message names the module's file and line.
-- exit: 2
-- stderr: broken.lua:3:
-- stderr: unexpected symbol
-- noline: the error is in the module, named with its own file and line
local f = sim.file{ name = "data", size = "1MiB" }
local helper = require("lib.broken")
