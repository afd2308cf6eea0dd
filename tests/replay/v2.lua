-- The op-log round trip of format version 2 (tests/replay/v2.sh): one short run that
-- uses every version-2 op of OPLOG.md, so that recording it writes each line and
-- replaying the log must give the same run.
--   a Buffer declared at the top level ("buffer" header line) and one allocated
--   inside a task ("alloc" op line); buf_store and buf_load;
--   asynchronous direct writes from a Buffer (async=ioN) racing a scribbler's stores
--   into it: on this checksumming device the policies that send user pages as they
--   are see checksum errors, and io_wait gets EIO;
--   an asynchronous direct write from a mapping; synchronous and asynchronous
--   direct reads into a Buffer (to=bN at=);
--   an Io waited for by another task than its submitter, and an Io waited for twice
--   (the second wait needs no line);
--   a long-term pin of a file mapping: refused (EFAULT) unless the policy makes it
--   safe (bounce), and then written through and released.
sim.scenario{
  name = "replay-v2",
  description = "every op of op-log format version 2",
  policies = { "unrestricted", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work")
local writes = math.max(8, math.floor(200 * scale))
local bs = 8192
local depth = 4

sim.device{ integrity = true, write_latency = "100us", queue_depth = 32 }
local f = sim.file{ name = "data", size = "4MiB" }
local p = sim.process{ name = "app" }
local m = p:mmap(f, { size = "256KiB" })
local buf = p:alloc(depth * bs)
local done = false
local handed = sim.event("handed")
local shared_io

sim.spawn("submitter", function()
  local inflight = {}
  for i = 0, writes - 1 do
    local slot = i % depth
    if inflight[slot] then inflight[slot]:wait() end
    buf:store(slot * bs, bs)
    local off = sim.randint(0, f:size() // bs - 1) * bs
    inflight[slot] = f:dio_write(off, bs, { from = buf, at = slot * bs, async = true })
  end
  for slot = 0, depth - 1 do
    if inflight[slot] then
      local ok, err = inflight[slot]:wait()
      inflight[slot]:wait()                 -- again: the same answer at once
      sim.log("last wait of slot %d: %s %s", slot, tostring(ok), tostring(err))
    end
  end
  -- an I/O another task waits for
  m:store(0, 4096)
  shared_io = f:dio_write(0, 4096, { from = m, at = 0, async = true })
  handed:set()
  done = true
end, { process = p })

sim.spawn("scribbler", function()
  while not done do
    sim.sleep("30us")
    buf:store(sim.randint(0, depth * bs // 64 - 1) * 64, 64)
  end
end, { process = p })

sim.spawn("reader", function()
  local mine = p:alloc("64KiB")             -- an alloc line
  assert(f:dio_read(0, 8192, { to = mine, at = 4096 }))
  local io = f:dio_read(65536, 16384, { to = mine, at = 16384, async = true })
  local rd = f:dio_read(131072, 4096, { async = true })
  assert(io:wait())
  assert(rd:wait())
  mine:load(16384, 16384)
  handed:wait()
  shared_io:wait()                          -- the submitter's I/O
  local pin, err = m:pin(8192, 8192, { longterm = true })
  if pin then
    pin:write(0, 512)
    pin:release()
  else
    sim.log("long-term pin refused: %s", err)
  end
end, { process = p })

sim.expect{
  ["unrestricted"] = { checksum_errors = ">0", eio_returned = ">0" },
  ["bounce"] = { checksum_errors = 0, bounces = ">0", pin_writes = 1 },
  ["*"] = { lost_at_end = 0 },
}
