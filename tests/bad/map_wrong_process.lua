-- A mapping used from a task of another address space.
-- exit: 2
-- stderr: map_wrong_process.lua:8: m:load: task 'stranger' runs in no process, but this mapping belongs to process 'db'
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = "64KiB", size = "256KiB" })
sim.spawn("stranger", function()
	m:load(0, 4096)
end)
