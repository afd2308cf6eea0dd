-- big: the scale benchmark of the Performance issue -- a 1 M-page (4 GiB) file and
-- 10 M operations: random 4 KiB writes and stores through a mapping from four tasks,
-- with the flusher writing back all along.  Run:
--     wbsim run tests/bench/big.lua --policy page-fork
sim.scenario{ name = "big", description = "1 M pages, 10 M operations",
              policies = { "page-fork", "wait-on-writeback" } }

local ops = sim.param("ops", 10000000, "operations in total")
local pages = sim.param("pages", 1048576, "pages in the file")

local f = sim.file{ name = "big", size = pages * sim.PAGE_SIZE }
local p = sim.process{ name = "app" }
local m = p:mmap(f)
local per_task = ops // 4

for k = 1, 2 do
  sim.spawn("writer-" .. k, function()
    for i = 1, per_task do
      f:pwrite(sim.randint(0, pages - 1) * 4096, 4096)
    end
  end)
  sim.spawn("storer-" .. k, function()
    for i = 1, per_task do
      m:store(sim.randint(0, pages - 1) * 4096, 64)
    end
  end, { process = p })
end
