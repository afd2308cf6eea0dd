-- A fio job cloned a million times.
-- exit: 2
-- stderr: fio_numjobs_absurd.lua:4: sim.fio: numjobs must be an integer from 1 to 4096, got 1000000
sim.fio{ name = "job", size = "1MiB", rw = "write", numjobs = 1000000 }
