-- A direct write whose source runs past the end of its Buffer.
-- exit: 2
-- stderr: buffer_beyond_end.lua:7: f:dio_write: from: offset 61440 + length 8192 lies outside Buffer of process 'db'
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local b = p:alloc("64KiB")
sim.spawn("direct", function() f:dio_write(0, 8192, { from = b, at = 61440 }) end, { process = p })
