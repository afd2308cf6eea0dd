-- The example at the top of SCENARIO_API.md, as written there, with the writer's
-- body filled in and the other writers the `writers` parameter asks for.
sim.scenario{ name = "mmap-fork", description = "...", duration = "2s",
              policies = { "wait-on-writeback", "unrestricted", "page-fork" } }
local writers = sim.param("writers", 4, "number of writer tasks")   -- --set writers=8
sim.device{ integrity = true, scheduler = "reorder", queue_depth = 32 }
sim.writeback{ interval = "5s", expire = "30s" }
sim.costs{ tlb_shootdown = "2us" }
local f = sim.file{ name = "data", size = "16MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = 0, size = "16MiB" })      -- MAP_SHARED
local t = sim.spawn("writer", function()
  -- stores all over the mapping, and an msync every 100 of them: the pages are
  -- under writeback while the other writers keep storing into them
  for i = 1, 2000 do
    m:store(sim.randint(0, 4095) * sim.PAGE_SIZE, 512)
    if i % 100 == 0 then m:msync() end
  end
end, { process = p, cpu = 1 })
for w = 2, writers do
  sim.spawn("writer-" .. w, function()
    while sim.now() < 1.5 do
      f:pwrite(sim.randint(0, 4095) * sim.PAGE_SIZE, 4096)
      m:store(sim.randint(0, 4095) * sim.PAGE_SIZE, 64)
      sim.sleep("20us")
    end
  end, { process = p })
end
sim.expect{ ["unrestricted"] = { checksum_errors = ">0" },
            ["*"]            = { lost_writes = 0, ["write.p99"] = "<5ms" } }
