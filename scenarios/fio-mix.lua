-- fio-mix: fio-style jobs together — buffered random writes (psync) and stores through
-- mmap over the same 1 MiB, each syncing every 64 writes, and direct writes elsewhere —
-- on one checksumming device.
--
-- Look at: the latency of each kind (write, store, dio_write) and the hazards per
-- policy.  Knobs: `numjobs`, `runtime`.
sim.scenario{
  name = "fio-mix",
  description = "fio jobs: psync randwrite, mmap randwrite and direct writes together",
  policies = { "wait-on-writeback", "stable-if-required", "page-fork", "bounce", "unrestricted" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local numjobs = sim.param("numjobs", 2, "jobs of each kind")
local runtime = 0.05 * scale

sim.device{ integrity = true }
local f = sim.file{ name = "fio", size = "16MiB" }

sim.fio{ name = "buffered", file = f, rw = "randwrite", bs = "4KiB", size = "1MiB",
         ioengine = "psync", fsync = 64, numjobs = numjobs, runtime = runtime,
         thinktime = "20us" }
sim.fio{ name = "mapped", file = f, rw = "randwrite", bs = "4KiB", size = "1MiB",
         ioengine = "mmap", fsync = 64, numjobs = numjobs, runtime = runtime,
         thinktime = "20us" }
sim.fio{ name = "direct", file = f, rw = "randwrite", bs = "64KiB", size = "8MiB",
         offset = "8MiB", direct = 1, numjobs = numjobs, runtime = runtime,
         thinktime = "50us" }

sim.expect{
  -- spurious EIO, and what follows it (see integrity-unstable)
  ["unrestricted"] = { checksum_errors = ">0" },
  ["wait-on-writeback"] = { checksum_errors = 0, lost_writes = 0 },
  ["stable-if-required"] = { checksum_errors = 0, lost_writes = 0 },
  ["page-fork"] = { checksum_errors = 0, lost_writes = 0 },
  ["bounce"] = { checksum_errors = 0, lost_writes = 0 },
}
