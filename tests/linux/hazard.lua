-- The hazard the linux: target must show (tests/test_target_linux.c): one task of a
-- process stores into 16 pages of a shared mapping, one after the other, and starts
-- writeback of all 16 with sync_file_range(WRITE) after each round.  Writeback start
-- write-protects the PTEs, so the next round's first store faults while the 64 KiB
-- write is in flight; with stable_writes the fault waits for it (folio_wait_writeback),
-- without it the store goes ahead.  (One page rewritten after each sync misses the
-- window now and then: a task's next operation comes some 30 us after its last, and a
-- 4 KiB write to a loop device can be done by then.)
sim.scenario{ name = "linux-hazard", description = "mmap stores during writeback",
              policies = { "linux:stable_writes=1,loop=direct", "linux:stable_writes=0,loop=direct" } }
local stores = sim.param("stores", 3000, "stores in all")
local pages = sim.param("pages", 16, "pages stored into per round")
local f = sim.file{ name = "pages", size = "256KiB" }
local p = sim.process{ name = "app" }
local m = p:mmap(f, { size = pages * sim.PAGE_SIZE })
sim.spawn("storer", function()
  for i = 0, stores - 1 do
    local pg = i % pages
    m:store(pg * sim.PAGE_SIZE + (i * 64) % sim.PAGE_SIZE, 64)
    if pg == pages - 1 then
      f:sync_range(0, pages * sim.PAGE_SIZE, "write")
    end
  end
end, { process = p })
sim.expect{ ["linux*"] = { ["store.count"] = ">0", faults = 0 } }
