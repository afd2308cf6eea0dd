-- A bad size given as an offset.
-- exit: 2
-- stderr: unit_offset_in_task.lua:6: f:pwrite: offset: bad size "the end"
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	f:pwrite("the end", 4096)
end)
