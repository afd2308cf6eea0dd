-- Two tasks waiting for one asynchronous I/O at once.
-- exit: 2
-- stderr: io_two_waiters.lua:13: io:wait: task 'submitter' is already waiting for this I/O
local f = sim.file{ name = "data", size = "1MiB" }
local io, sent = nil, sim.event("sent")
sim.spawn("submitter", function()
	io = f:dio_write(0, 4096, { async = true })
	sent:set()
	io:wait()
end)
sim.spawn("reaper", function()
	sent:wait()
	io:wait()
end)
