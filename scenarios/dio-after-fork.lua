-- dio-after-fork: a forked copy still in flight when a direct write to its block is
-- issued.
--
-- A large buffered write is in flight; a hot page inside it is rewritten (forked) and
-- then overwritten with O_DIRECT.  The direct write flushes the page cache first: the
-- flush writes the new copy and waits for it, but unless somebody also waits for the
-- old copy (sync=track, or refork=serialize which holds the new copy back until the old
-- one lands), the old copy can land after the direct write and undo it.
--
-- Look at: stale_overwrites and lost_writes for page-fork:refork=allow,sync=naive
-- against the safe variants.  refork=allow alone loses the rewrites too, when the old
-- copy lands over the new one (written and clean by then), but the direct write that
-- follows covers each block again: lost_writes counts them, lost_at_end does not.
-- Knob: `rounds`.
sim.scenario{
  name = "dio-after-fork",
  description = "a direct write racing an older forked copy of the same block",
  policies = { "page-fork", "page-fork:sync=naive", "page-fork:refork=allow",
               "page-fork:refork=allow,sync=naive", "wait-on-writeback" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local rounds = math.max(1, math.floor(sim.param("rounds", 50, "repetitions") * scale))

sim.device{ bandwidth = "1GiB/s", jitter = 0 }
local f = sim.file{ name = "data", size = "8MiB" }

sim.spawn("w", function()
  for r = 0, rounds - 1 do
    local base = (r % 15) * 128 * sim.PAGE_SIZE
    f:pwrite(base, 128 * sim.PAGE_SIZE)          -- 512 KiB: one long request
    f:sync_range(base, 128 * sim.PAGE_SIZE, "write")
    sim.sleep("20us")
    f:pwrite(base, 4096)                          -- under writeback: forked
    f:dio_write(base, 4096)                       -- must land last
    sim.sleep("1ms")
  end
end)

sim.expect{
  ["page-fork:refork=allow,sync=naive"] = { lost_at_end = ">0", stale_overwrites = ">0" },
  ["page-fork"]                         = { lost_writes = 0, stale_overwrites = 0 },
  ["page-fork:sync=naive"]              = { lost_writes = 0, ["stall.refork"] = ">0" },
  ["page-fork:refork=allow"]            = { lost_writes = ">0", lost_at_end = 0 },
  ["wait-on-writeback"]                 = { lost_writes = 0, forks = 0 },
}
