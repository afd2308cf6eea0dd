-- A fio job with empty blocks.
-- exit: 2
-- stderr: fio_bs_zero.lua:4: sim.fio: bs must be positive
sim.fio{ name = "job", size = "1MiB", rw = "write", bs = 0 }
