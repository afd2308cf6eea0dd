-- fsync-fork: Dave Chinner's objection.
--
-- fsync tags the file's dirty pages, writes them, then waits for every page tagged
-- WRITEBACK in the index.  Page forking swaps a page in the index while its old copy
-- is in flight; an fsync that only looks at the index (sync=naive) does not wait for
-- that copy and can return before data written before the call is on disk.
--
-- Look at: fsync_violations (page-fork:sync=naive) and fsync.p99 (what tracking costs).
-- Knob: `writers`.
sim.scenario{
  name = "fsync-fork",
  description = "forks during fsync: does fsync still wait for the data it must?",
  policies = { "page-fork", "page-fork:sync=naive", "wait-on-writeback", "unrestricted" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local writers = sim.param("writers", 3, "tasks rewriting the file")
local syncs = math.max(150, math.floor(300 * scale))

sim.device{ integrity = true, write_latency = "100us" }
local f = sim.file{ name = "journal", size = "256KiB" }
local pages = 64

for w = 1, writers do
  sim.spawn("writer-" .. w, function()
    for i = 1, syncs * 10 do
      f:pwrite(sim.randint(0, pages - 1) * sim.PAGE_SIZE, 1024)
      sim.sleep("7us")
    end
  end)
end

sim.spawn("committer", function()
  for i = 1, syncs do
    f:pwrite(0, 16 * sim.PAGE_SIZE)
    f:fsync()
    sim.sleep("50us")
  end
end)

sim.expect{
  ["page-fork:sync=naive"] = { fsync_violations = ">0" },
  ["page-fork"]            = { fsync_violations = 0, forks = ">0", lost_writes = 0 },
  ["wait-on-writeback"]    = { fsync_violations = 0, lost_writes = 0 },
  -- unrestricted on a checksumming device: spurious EIO, then data missing behind a
  -- successful fsync (see integrity-unstable).
  ["unrestricted"]         = { checksum_errors = ">0" },
}
