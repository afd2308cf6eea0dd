-- No io library, in a task either.
-- exit: 2
-- stderr: task 'reader'
-- stderr: sandbox_io_open.lua:7: attempt to index a nil value (global 'io')
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("reader", function()
	local h = io.open("/etc/passwd")
end)
