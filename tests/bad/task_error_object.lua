-- An error whose value is a table, not a string: the message still names the line.
-- exit: 2
-- stderr: task 'writer'
-- stderr: task_error_object.lua:8:
-- stderr: error object is a table value
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	error({ code = 5 })
end)
