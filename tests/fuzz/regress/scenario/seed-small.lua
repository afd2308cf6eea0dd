local f = sim.file{ name = "d", size = "64KiB" }
sim.spawn("w", function() f:pwrite(0, 4096) f:fsync() end)
