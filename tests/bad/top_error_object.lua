-- error({}) at the top level: the message is about the value, and names the line.
-- exit: 2
-- stderr: top_error_object.lua:6:
-- stderr: error object is a table value
local f = sim.file{ name = "data", size = "1MiB" }
error(setmetatable({}, { __index = function() return 1 end }))
