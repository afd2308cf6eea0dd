-- dio-bounce: what bouncing direct-I/O pages costs (IOMAP_DIO_BOUNCE, Linux 7.0).
--
-- A device that needs stable pages (here a checksumming one) cannot be handed user
-- pages for O_DIRECT: the program may change them while the device reads them.
-- Since 7.0 filesystems can have iomap copy the data into kernel pages instead
-- (btrfs with data checksums did a buffered write until then).  The copy costs a
-- page allocation and a copy per page (and a copy back for reads).  Here 32 writers
-- share one CPU and keep 32 direct writes in flight (what fio with iodepth=32 does
-- from one thread) to a fast device: at 4 KiB the CPU is the bottleneck and the copy
-- shows; from 64 KiB the device's bandwidth is, and the copy hides behind it.  The
-- figures reported with the iomap work: 882 MiB/s direct, 750 bounced at 4 KiB,
-- equal from 64 KiB.
--
-- Look at: dio_write_bw per policy, and how it moves with the block size: scripts/demo
-- runs `wbsim sweep scenarios/dio-bounce.lua --plot` with
-- sweep: --grid bs=4096..1048576*2 --metric dio_write_bw
-- Knobs: `bs`, `jobs`, `cpus` (spread the writers over more CPUs and the bounce
-- stops costing throughput: the device is the bound again).
sim.scenario{
  name = "dio-bounce",
  description = "O_DIRECT writes with and without bouncing, one CPU, queue depth 32",
  policies = { "stable-if-required", "stable-if-required:dio=bounce", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local bs = sim.param("bs", 4096, "bytes of each direct write")
local jobs = sim.param("jobs", 32, "writers, each with one direct write in flight")
local cpus = sim.param("cpus", 1, "CPUs the writers are spread over")

sim.device{ integrity = true, write_latency = "10us", bandwidth = "3GiB/s", queue_depth = 32 }

-- The same bytes at every block size, so the runs take comparable time.
local per_job = math.max(bs, math.floor(256 * 1024 * 1024 * scale / jobs / bs) * bs)
local f = sim.file{ name = "data", size = per_job * jobs }
for j = 0, jobs - 1 do
  sim.spawn("fio" .. j, function()
    for off = j * per_job, (j + 1) * per_job - bs, bs do
      assert(f:dio_write(off, bs))
    end
  end, { cpu = 1 + j % cpus })
end

sim.expect{
  ["stable-if-required"] = { bounces = 0 },
  ["*bounce"] = { bounces = ">0" },
  ["*"] = { checksum_errors = 0, lost_writes = 0, dio_write_bw = ">0" },
}
