-- The hazard the linux: target must show (tests/test_target_linux.c): one task
-- rewrites page 0 of a file through a shared mapping while sync_file_range(WRITE)
-- starts writeback every 10th store.  Writeback start write-protects the PTE, so the
-- next store faults; with stable_writes the fault waits for the I/O
-- (folio_wait_writeback), without it the store goes ahead.
sim.scenario{ name = "linux-hazard", description = "mmap stores during writeback",
              policies = { "linux:stable_writes=1,loop=direct", "linux:stable_writes=0,loop=direct" } }
local stores = sim.param("stores", 3000, "stores to page 0")
local f = sim.file{ name = "page0", size = "64KiB" }
local p = sim.process{ name = "app" }
local m = p:mmap(f, { size = sim.PAGE_SIZE })
sim.spawn("storer", function()
  for i = 0, stores - 1 do
    m:store((i * 64) % sim.PAGE_SIZE, 64)
    if i % 10 == 0 then
      f:sync_range(0, sim.PAGE_SIZE, "write")
    end
  end
end, { process = p })
sim.expect{ ["linux*"] = { ["store.count"] = ">0", faults = 0 } }
