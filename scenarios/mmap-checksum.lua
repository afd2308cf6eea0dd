-- mmap-checksum: stores through a mapping during writeback, on a checksumming device.
--
-- One thread of one process stores into a shared mapping of a file; nothing else
-- touches the file but the flusher, which writes the dirty pages back every
-- millisecond.  Writeback write-protects each page's PTE, so the next store faults; the
-- fault (page_mkwrite) is where the policy decides.  A page that changes between the
-- guard tag computed at submission and the device's DMA fails the whole request.  This
-- is the one effect integrity-unstable shows with write(2) and gup-pins with a pin
-- holder, here with nothing but CPU stores from a single mapper.
--
-- Look at: checksum_errors under unrestricted (and the EIO the final msync reports),
-- zero under every policy that keeps pages stable; what each of those pays instead:
-- stall.stable and fault.p99 for stable pages, forks for page-fork, bounces and
-- cpu.copy for bounce.  Knobs: `dma_at` (how late in the service time the device reads
-- memory: a wider window, more errors), `pages` (fewer pages: a store hits a page under
-- writeback more often).
sim.scenario{
  name = "mmap-checksum",
  description = "one mapper storing during writeback on an integrity device",
  policies = { "unrestricted", "wait-on-writeback", "stable-if-required", "page-fork", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local pages = sim.param("pages", 256, "pages of the mapping the stores go to")
local dma_at = sim.param("dma_at", 0.5, "fraction of service time at which the device reads data")
local stores = math.floor(20000 * scale)

sim.device{ integrity = true, dma_at = dma_at, write_latency = "200us" }
sim.writeback{ interval = "1ms", expire = "1ms" }
local f = sim.file{ name = "data", size = pages * sim.PAGE_SIZE }
local p = sim.process{ name = "app" }
local m = p:mmap(f)

sim.spawn("mapper", function()
  for i = 1, stores do
    m:store(sim.randint(0, pages - 1) * sim.PAGE_SIZE + sim.randint(0, 4032), 64)
    sim.sleep("2us")
  end
  -- The program learns of a rejected writeback at its next msync (errseq), once.
  local ok, err = m:msync()
  sim.log("final msync: %s", ok and "ok" or err)
end, { process = p })

-- Under unrestricted a rejected request takes its other pages down with it: those are
-- clean and not on disk, lost then (lost_writes), though later stores usually dirty
-- them again before the end (lost_at_end is far smaller).
sim.expect{
  ["unrestricted"] = { checksum_errors = ">0", eio_returned = 1, lost_writes = ">0" },
  ["wait-on-writeback"] = { checksum_errors = 0, lost_writes = 0, ["stall.stable"] = ">0" },
  ["stable-if-required"] = { checksum_errors = 0, lost_writes = 0, ["stall.stable"] = ">0" },
  ["page-fork"] = { checksum_errors = 0, lost_writes = 0, forks = ">0", ["stall.stable"] = 0 },
  ["bounce"] = { checksum_errors = 0, lost_writes = 0, bounces = ">0", ["stall.stable"] = 0 },
  ["*"] = { stale_reads = 0 },
}
