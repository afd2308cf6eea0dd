-- double-fork: a forked page written back again while its old copy is in flight.
--
-- A few hot pages are rewritten and pushed out over and over on a device whose queue
-- reorders requests (the block layer and NVMe promise no order between in-flight
-- requests).  With refork=allow two copies of a block can be in flight at once and
-- the older may land last: the disk ends up stale.  refork=serialize holds the newer
-- copy back until the older one completes (stall.refork for data-integrity writers,
-- a skipped page for background writeback).
--
-- Look at: stale_overwrites and lost_writes (allow) against stall.refork (serialize).
-- Knob: `hot_pages`.
sim.scenario{
  name = "double-fork",
  description = "rewrites of hot pages on a reordering queue: refork=allow vs serialize",
  policies = { "page-fork", "page-fork:refork=allow", "wait-on-writeback" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local hot = sim.param("hot_pages", 8, "pages rewritten")
local n = math.floor(5000 * scale)

sim.device{ scheduler = "reorder", queue_depth = 4, jitter = 0.5 }
local f = sim.file{ name = "hot", size = "1MiB" }

sim.spawn("rewriter", function()
  for i = 1, n do
    f:pwrite(sim.randint(0, hot - 1) * sim.PAGE_SIZE, 4096)
    if i % 4 == 0 then
      f:sync_range(0, hot * sim.PAGE_SIZE, "write")
    end
    sim.sleep("3us")
  end
  f:fsync()
end)

sim.expect{
  ["page-fork:refork=allow"] = { stale_overwrites = ">0" },
  ["page-fork"]              = { stale_overwrites = 0, lost_writes = 0, forks = ">0" },
  ["wait-on-writeback"]      = { stale_overwrites = 0, lost_writes = 0 },
}
