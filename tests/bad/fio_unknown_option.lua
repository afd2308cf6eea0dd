-- sim.fio refuses an option it does not support and lists those it does.
-- exit: 2
-- stderr: fio_unknown_option.lua:5: sim.fio: unsupported option 'iodepth_batch'; supported options:
local f = sim.file{ name = "data", size = "1MiB" }
sim.fio{ name = "job", file = f, rw = "randwrite", iodepth_batch = 32 }
