-- A small scenario for the linux: target's end-to-end test (tests/test_target_linux.c):
-- two writers with pwrite, a mapping written by a task of a process, an fsync and an
-- msync each, on an integrity device (which the kernel run cannot reproduce).
sim.scenario{ name = "linux-small", description = "pwrite, mmap stores, fsync, msync",
              policies = { "linux:stable_writes=1" } }
local writes = sim.param("writes", 50, "writes per writer")
sim.device{ integrity = true }
sim.writeback{ memory = "256MiB", interval = "100ms", expire = "200ms" }
local f = sim.file{ name = "data", size = "1MiB" }
local g = sim.file{ name = "mapped", size = "256KiB" }
local p = sim.process{ name = "app" }
local m = p:mmap(g)
for i = 1, 2 do
  sim.spawn("writer-" .. i, function()
    for n = 1, writes do
      f:pwrite(((i - 1) * 64 + n % 16) * sim.PAGE_SIZE, sim.PAGE_SIZE)
      sim.sleep("100us")
    end
    f:fsync()
  end)
end
sim.spawn("storer", function()
  for n = 1, writes do
    m:store((n % 32) * sim.PAGE_SIZE, 512)
    sim.sleep("100us")
  end
  m:msync()
end, { process = p })
sim.expect{ ["linux*"] = { lost_at_end = 0, ["write.count"] = ">0", checksum_errors = 0 } }
