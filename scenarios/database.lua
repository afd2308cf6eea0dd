-- database: the shape of a write-ahead-logging database (SQLite in WAL mode, a
-- PostgreSQL backend): several clients append commit records to a shared log and
-- fdatasync it; a checkpointer writes changed pages into the database file and fsyncs
-- it; readers read the database.
--
-- Records are smaller than a page, so the log's last page is rewritten by the next
-- commit while the previous commit's fdatasync is still writing it: under stable
-- pages that commit waits for the I/O (the classic complaint about stable pages
-- and databases); page-fork copies it; bounce copies every page written.
--
-- Look at: fsync.p99 / fsync.p999 (commit latency), write.p99, stall.stable, forks,
-- cpu.copy per policy.  Knobs: `clients`, `record_bytes`, `checkpoint_every`.
sim.scenario{
  name = "database",
  description = "commits appending to a shared log with fdatasync, plus checkpoints",
  policies = { "wait-on-writeback", "stable-if-required", "page-fork", "bounce", "unrestricted" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local clients = sim.param("clients", 4, "committing clients")
local record = sim.param("record_bytes", 1536, "bytes appended per commit")
local every = sim.param("checkpoint_every", 200, "commits between checkpoints")
local commits = math.floor(1000 * scale)

sim.device{ integrity = true, write_latency = "40us", write_cache = true, flush_latency = "100us" }
local wal = sim.file{ name = "db-wal", size = "64MiB" }
local db = sim.file{ name = "db", size = "8MiB" }
local db_pages = 2048

local wal_end = 0                 -- shared by the clients: they append in turn
local changed = {}                -- db pages changed since the last checkpoint
local total = 0

for c = 1, clients do
  sim.spawn("client-" .. c, function()
    for i = 1, commits do
      local off = wal_end
      wal_end = (wal_end + record) % (64 * 1024 * 1024 - record)
      wal:pwrite(off, record)
      changed[#changed + 1] = sim.randint(0, db_pages - 1)
      wal:fdatasync()
      total = total + 1
      sim.sleep(sim.rand() * 0.0002)
    end
  end)
end

sim.spawn("checkpointer", function()
  while total < clients * commits do
    sim.sleep("5ms")
    local pages = changed
    changed = {}
    for _, p in ipairs(pages) do
      db:pwrite(p * sim.PAGE_SIZE, sim.PAGE_SIZE)
    end
    db:fsync()
  end
end)

for r = 1, 2 do
  sim.spawn("reader-" .. r, function()
    while total < clients * commits do
      db:pread(sim.randint(0, db_pages - 1) * sim.PAGE_SIZE, sim.PAGE_SIZE)
      sim.sleep("200us")
    end
  end)
end

sim.expect{
  ["wait-on-writeback"]  = { ["stall.stable"] = ">0", lost_writes = 0, fsync_violations = 0 },
  ["stable-if-required"] = { ["stall.stable"] = ">0", lost_writes = 0, fsync_violations = 0 },
  ["page-fork"]          = { ["stall.stable"] = 0, forks = ">0", lost_writes = 0, fsync_violations = 0 },
  ["bounce"]             = { ["stall.stable"] = 0, checksum_errors = 0, lost_writes = 0, fsync_violations = 0 },
  ["unrestricted"]       = { checksum_errors = ">0" },
  ["*"]                  = { stale_reads = 0 },
}
