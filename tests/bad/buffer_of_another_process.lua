-- A direct read into a Buffer of a process the task does not run in.
-- exit: 2
-- stderr: buffer_of_another_process.lua:8: f:dio_read: task 'reader' runs in process 'web', but this Buffer belongs to process 'db'
local f = sim.file{ name = "data", size = "1MiB" }
local db, web = sim.process{ name = "db" }, sim.process{ name = "web" }
local b = db:alloc("64KiB")
sim.spawn("reader", function()
	f:dio_read(0, 4096, { to = b })
end, { process = web })
