-- A task spawned by a task fails: its own name and line are reported.
-- exit: 2
-- stderr: task 'child'
-- stderr: task_in_task_error.lua:9: attempt to perform arithmetic on a nil value
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("parent", function()
	sim.sleep("1ms")
	local child = sim.spawn("child", function()
		f:pwrite(undefined_offset * 2, 4096)
	end)
	child:join()
end)
