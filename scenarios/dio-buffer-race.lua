-- dio-buffer-race: a program modifies the buffer of a direct write still in flight.
--
-- xfstests' dio-writeback-race, with a malloc'd buffer: one thread submits
-- asynchronous O_DIRECT writes (io_uring or libaio style, `depth` in flight) from slots
-- of an anonymous buffer; another thread of the same process keeps storing into the
-- buffer.  The device reads a slot at its DMA instant, so a store between submission
-- and DMA changes what it gets: a checksumming device rejects the write (EIO at
-- io:wait), any other one stores the newer bytes.  No page-cache policy can stop it --
-- the buffer is anonymous memory, nobody asks the policy -- except by copying the data
-- at submission (the iomap direct-I/O bounce for stable-writes devices, Linux 7.0).
--
-- Look at: checksum_errors and eio_returned under the policies that send user pages as
-- they are; zero with bouncing, at the price of bounces and cpu.copy; dio_write.p99
-- (submission to completion).  Knobs: `depth`, `scribble` (the time between the other
-- thread's stores).
sim.scenario{
  name = "dio-buffer-race",
  description = "stores into the buffer of an asynchronous direct write in flight",
  policies = { "unrestricted", "wait-on-writeback", "stable-if-required",
               "stable-if-required:dio=bounce", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local depth = sim.param("depth", 8, "direct writes in flight")
local scribble = sim.param("scribble", "50us", "time between the other thread's stores")
local writes = math.floor(4000 * scale)
local bs = 16384

sim.device{ integrity = true, write_latency = "100us", queue_depth = 32 }
local f = sim.file{ name = "data", size = "64MiB" }
local p = sim.process{ name = "app" }
local buf = p:alloc(depth * bs)
local done = false

sim.spawn("submitter", function()
  local inflight = {}
  for i = 0, writes - 1 do
    local slot = i % depth
    if inflight[slot] then inflight[slot]:wait() end    -- the slot's previous write
    buf:store(slot * bs, bs)                             -- fill it
    local off = sim.randint(0, f:size() // bs - 1) * bs
    inflight[slot] = f:dio_write(off, bs, { from = buf, at = slot * bs, async = true })
  end
  for slot = 0, depth - 1 do
    if inflight[slot] then inflight[slot]:wait() end
  end
  done = true
end, { process = p })

sim.spawn("scribbler", function()
  while not done do
    sim.sleep(scribble)
    buf:store(sim.randint(0, depth * bs // 64 - 1) * 64, 64)
  end
end, { process = p })

sim.expect{
  ["unrestricted"] = { checksum_errors = ">0", eio_returned = ">0" },
  ["wait-on-writeback"] = { checksum_errors = ">0" },
  ["stable-if-required"] = { checksum_errors = ">0" },
  ["stable-if-required:dio=bounce"] = { checksum_errors = 0, bounces = ">0" },
  ["bounce"] = { checksum_errors = 0, bounces = ">0" },
  ["*"] = { dio_writes = writes, ["dio_write.count"] = writes, lost_at_end = 0 },
}
