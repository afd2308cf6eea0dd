-- require() of a precompiled module is refused like a precompiled scenario.
-- exit: 2
-- stderr: precompiled.lua:1: is a precompiled (binary) Lua chunk
-- stderr: binary_module.lua:6:
local f = sim.file{ name = "data", size = "1MiB" }
local lib = require("lib.precompiled")
