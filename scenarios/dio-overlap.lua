-- dio-overlap: direct I/O against the page cache (LSFMM: "a direct write from one
-- region of a file to another, possibly overlapping").
--
-- A task copies one region of a file onto an overlapping region with O_DIRECT, its
-- source buffer being a shared mapping of the same file, while another thread stores
-- into the mapping and writeback runs.  A direct write flushes and invalidates the
-- destination's cached pages before and after the I/O; a page it cannot invalidate
-- (pinned as the source buffer, dirtied again by a store) stays behind, older than
-- the disk, and a later read or writeback of it is wrong.
--
-- Look at: stale_overwrites, lost_writes, stale_reads and stale_cache_pages per policy.
-- These races are between direct I/O and the page cache, not between writeback and
-- writers, so no writeback policy removes them: the numbers barely move between
-- policies (bounce only adds copies).  Knob: `overlap_pages`.
sim.scenario{
  name = "dio-overlap",
  description = "O_DIRECT from a mapping of the same file onto an overlapping range",
  policies = { "wait-on-writeback", "unrestricted", "page-fork", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local shift = sim.param("overlap_pages", 2, "destination = source + this many pages")
local copies = math.max(2, math.floor(200 * scale))

local f = sim.file{ name = "db", size = "1MiB" }
local p = sim.process{ name = "app" }
local m = p:mmap(f)
local span = 8 * sim.PAGE_SIZE

sim.spawn("copier", function()
  for i = 1, copies do
    local src = sim.randint(0, 100) * sim.PAGE_SIZE
    local ok, err = f:dio_write(src + shift * sim.PAGE_SIZE, span, { from = m, at = src })
    sim.sleep("30us")
  end
end, { process = p })

sim.spawn("storer", function()
  for i = 1, copies * 4 do
    m:store(sim.randint(0, 110) * sim.PAGE_SIZE, 256)
    sim.sleep("8us")
  end
end, { process = p })

sim.spawn("reader", function()
  for i = 1, copies * 2 do
    f:pread(sim.randint(0, 110) * sim.PAGE_SIZE, 4096)
    sim.sleep("15us")
  end
end)

sim.spawn("syncer", function()
  for i = 1, copies do
    sim.sleep("60us")
    f:sync_range(0, 120 * sim.PAGE_SIZE, "write")
  end
end)

sim.expect{
  ["*"] = { dio_writes = ">0", stale_overwrites = ">0" },
}
