-- integrity-unstable: why stable pages exist.
--
-- Several writers keep rewriting pages of a file on a device that checksums data
-- (T10 PI/DIX, NVMe-oF or iSCSI data digests).  The guard tag is computed when a
-- request is submitted; the device reads the data later.  A page changed in between
-- makes the device reject the whole request (a spurious EIO), and a page changed
-- after it was queued but before the guard was taken goes out newer than its dirty
-- bit says, so its next write carries the same data again (a redundant write).
--
-- Look at: checksum_errors, eio_returned and redundant_writes under unrestricted; zero
-- under every policy that keeps pages stable.  Note what follows a spurious EIO under
-- unrestricted: the other pages of a rejected request are clean but not on disk
-- (lost_writes), and once one fsync has reported the error the next returns success
-- with that data still missing (fsync_violations) -- the kernel's errseq behaviour.  Knob: `writers`, `dma_at` (how late
-- in the service time the device reads memory: a wider window, more errors).
sim.scenario{
  name = "integrity-unstable",
  description = "concurrent rewrites on a checksumming device: spurious EIO without stable pages",
  policies = { "unrestricted", "wait-on-writeback", "stable-if-required", "page-fork", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local writers = sim.param("writers", 4, "writer tasks")
local dma_at = sim.param("dma_at", 0.5, "fraction of service time at which the device reads data")
local rounds = math.floor(4000 * scale)

sim.device{ integrity = true, dma_at = dma_at, write_latency = "50us" }
sim.costs{ checksum_page = "1us" }     -- a software CRC: the queueing window is wider
local f = sim.file{ name = "data", size = "2MiB" }
local pages = 512

for w = 1, writers do
  sim.spawn("writer-" .. w, function()
    for i = 1, rounds do
      f:pwrite(sim.randint(0, pages - 1) * sim.PAGE_SIZE, 4096)
      sim.sleep("10us")
      if i % 200 == 0 then
        f:fsync()       -- returns nil, "EIO" after a rejected write: counted
      end
    end
  end)
end

sim.spawn("flusher", function()
  for i = 1, math.floor(rounds / 10) do
    sim.sleep("100us")
    f:sync_range(0, pages * sim.PAGE_SIZE, "write")
  end
end)

sim.expect{
  ["unrestricted"]       = { checksum_errors = ">0", eio_returned = ">0", redundant_writes = ">0" },
  ["wait-on-writeback"]  = { checksum_errors = 0, redundant_writes = 0, lost_writes = 0 },
  ["stable-if-required"] = { checksum_errors = 0, redundant_writes = 0, lost_writes = 0 },
  ["page-fork"]          = { checksum_errors = 0, redundant_writes = 0, lost_writes = 0 },
  ["bounce"]             = { checksum_errors = 0, lost_writes = 0, fsync_violations = 0 },
}
