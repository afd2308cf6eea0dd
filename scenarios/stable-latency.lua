-- stable-latency: the regression that led to the stable-writes flag (Linux 3.9).
--
-- A program keeps rewriting a small set of recently written pages (a log tail, a
-- hot database page) while writeback pushes them out.  Under wait-on-writeback every
-- rewrite of a page under writeback sleeps until its I/O completes; on a device that
-- does not need stable pages, stable-if-required lets the writer go on.
--
-- Look at: write.p99 and stall.stable per policy; redundant_writes shows what not
-- waiting costs on a plain device.  Knob: `device_latency` (slower device, longer
-- stalls), `hot_pages`, `write_interval` (the writer's sleep: longer, fewer rewrites
-- find their page under writeback).
sim.scenario{
  name = "stable-latency",
  description = "rewrites of recently written pages: stable pages make writers wait",
  policies = { "wait-on-writeback", "stable-if-required", "unrestricted", "page-fork", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local hot = sim.param("hot_pages", 64, "pages being rewritten")
local latency = sim.param("device_latency", "200us", "device write latency")
local interval = sim.param("write_interval", "20us", "the writer's sleep after each write")
local writes = math.floor(20000 * scale)

sim.device{ integrity = false, write_latency = latency, queue_depth = 8 }
local f = sim.file{ name = "log", size = "4MiB" }

-- The writer rewrites a random hot page every 20 us (write_interval).
sim.spawn("writer", function()
  for i = 1, writes do
    local page = sim.randint(0, hot - 1)
    f:pwrite(page * sim.PAGE_SIZE, 512)
    sim.sleep(interval)
  end
end)

-- Something pushes dirty pages out often (sync_file_range, as databases do).
local syncer = sim.spawn("syncer", function()
  for i = 1, math.floor(writes / 25) do
    sim.sleep("500us")
    f:sync_range(0, hot * sim.PAGE_SIZE, "write")
  end
end)

sim.expect{
  ["wait-on-writeback"]  = { ["stall.stable"] = ">0", redundant_writes = 0 },
  ["stable-if-required"] = { ["stall.stable"] = 0, redundant_writes = ">0" },
  ["unrestricted"]       = { ["stall.stable"] = 0 },
  ["page-fork"]          = { ["stall.stable"] = 0, forks = ">0", lost_writes = 0 },
  ["bounce"]             = { ["stall.stable"] = 0, bounces = ">0" },
  ["*"]                  = { lost_writes = 0, fsync_violations = 0 },
}
