-- proc:mmap inside a task checks the same.
-- exit: 2
-- stderr: mmap_in_task_beyond.lua:8: proc:mmap: offset 1048576 lies outside file 'data'
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
sim.spawn("mapper", function()
	sim.sleep("1ms")
	local m = p:mmap(f, { offset = "1MiB" })
end, { process = p })
