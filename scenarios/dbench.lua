-- dbench: the measurement that got stable pages made conditional (Linux 3.9, commit
-- 1d1d1a767206, "mm: only enforce stable page writes if the backing device requires
-- it").  dbench with 4 clients on ext2 on a disk: before, every write to a page
-- under writeback waited for it, needed or not; after, only on a device that needs
-- stable pages.  Published: WriteX max latency 59.8 ms before, 4.27 ms after, with
-- the average unchanged (0.028 / 0.029 ms) and throughput within 4 %.
--
-- Here 4 clients work in their own files on a disk (which does not need stable
-- pages), with a warm cache: each rewrites pieces of its data file (left to the
-- periodic flusher: every 5 s, files dirtied over 30 s ago), reads, and appends to a
-- log it flushes (fsync) every few operations.  Now and then a client rewrites a
-- page the flusher is writing; under wait-on-writeback it waits for that I/O on a
-- disk busy with everyone's writeback, under stable-if-required it goes on.  Such
-- rewrites are rare, so they move the maximum, not the 99th percentile.  The model
-- has no other reason for a cached write to be slow (no metadata, no block
-- allocation, no journal), so without the waits its maximum is CPU time alone, and
-- its mean, made of microseconds rather than dbench's 28 us, moves with a few long
-- waits where dbench's did not.
--
-- Look at: write.max and write.p99 per policy, stall.stable, fsync (dbench's
-- Flush).  Knobs: `clients`, `think` (time between a client's operations), `expire`
-- and `interval` (the flusher's, vm.dirty_expire and vm.dirty_writeback).
sim.scenario{
  name = "dbench",
  description = "4 dbench clients on a disk: stable pages always vs only when required",
  policies = { "wait-on-writeback", "stable-if-required" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local clients = sim.param("clients", 4, "dbench clients")
local think = sim.duration(sim.param("think", "1ms", "mean time between a client's operations"))
local expire = sim.duration(sim.param("expire", "30s", "age at which the flusher writes a dirty file"))
local interval = sim.duration(sim.param("interval", "5s", "the flusher's period"))
-- At least long enough for the flusher to find files dirtied over `expire` ago, three
-- of its rounds later (45 s with the defaults).  A short run (scale 0.1 on the kernel,
-- where 45 s is too long) shortens the two with it: `--set expire=2s,interval=1s`.
local runtime = math.max((expire + 3 * interval) / 1e9, 90 * scale)

sim.device{ model = "hdd", scheduler = "elevator" }
sim.writeback{ interval = interval / 1e9, expire = expire / 1e9 }

local DATA, LOG = 8 * 1024 * 1024, 4 * 1024 * 1024
for c = 1, clients do
  local data = sim.file{ name = "client" .. c .. "/data", size = DATA }
  local log = sim.file{ name = "client" .. c .. "/log", size = LOG }
  sim.spawn("client" .. c, function()
    -- Warm the cache: write both files whole (whole pages need no reads) and make
    -- them clean.
    for off = 0, DATA - 65536, 65536 do data:pwrite(off, 65536) end
    for off = 0, LOG - 65536, 65536 do log:pwrite(off, 65536) end
    data:fsync()
    log:fsync()
    local log_end, ops = 0, 0
    while sim.now() < runtime do
      local r = sim.rand()
      if r < 0.55 then
        -- WriteX: 1 to 16 pages somewhere in the data file
        local pages = sim.randint(1, 16)
        data:pwrite(sim.randint(0, DATA / 4096 - pages) * 4096, pages * 4096)
      elseif r < 0.85 then
        -- ReadX
        local pages = sim.randint(1, 16)
        data:pread(sim.randint(0, DATA / 4096 - pages) * 4096, pages * 4096)
      else
        -- a record appended to the log, and every so often a Flush
        log:pwrite(log_end, 2048)
        log_end = (log_end + 2048) % LOG
        ops = ops + 1
        if ops % 4 == 0 then log:fsync() end
      end
      sim.sleep(sim.rand() * 2 * think / 1e9)
    end
  end)
end

sim.expect{
  ["wait-on-writeback"] = { ["stall.stable"] = ">0" },
  ["stable-if-required"] = { ["stall.stable"] = 0 },
  ["*"] = { lost_writes = 0, fsync_violations = 0, checksum_errors = 0 },
}
