-- dirty-throttle: fast writers and a slow device, where balance_dirty_pages sets
-- the pace.  Four streams write as fast as the CPU copies (gigabytes a second) to a
-- device that takes 24 MiB/s, beside a light writer that saves a small file now and
-- then.  Past the freerun ceiling (halfway between the background threshold and the
-- limit) every dirtier sleeps in pauses of at most 200 ms sized to hold it to its
-- share of the device's measured bandwidth; dirty memory settles between the
-- setpoint and the limit instead of sitting at the limit, and the streams go no
-- faster than the device.  The policy hardly matters here: nothing is rewritten
-- while under writeback; what the light writer feels is the throttling, and its
-- fsyncs queued behind the streams' writeback.
--
-- Look at: stall.throttle and the throttle latency (each pause, at most 200 ms)
-- against write.p99, the timeline (dirty + writeback pages settle below the limit),
-- and fsync (the light writer's saves).  Knobs: `writers`, `bandwidth`.
sim.scenario{
  name = "dirty-throttle",
  description = "four streams and a light writer on a slow device: dirty throttling sets the pace",
  policies = { "stable-if-required", "wait-on-writeback" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local writers = sim.param("writers", 4, "streaming writers")
local bandwidth = sim.param("bandwidth", "24MiB/s", "the device's bandwidth")

-- Memory and data scale together, so that a short run is throttled too.
local memory = math.floor(1024 * scale) * 1024 * 1024
local per_writer = math.floor(200 * scale) * 1024 * 1024

sim.device{ bandwidth = bandwidth, write_latency = "1ms", queue_depth = 4 }
sim.writeback{ memory = memory }

local streams = {}
for w = 1, writers do
  local f = sim.file{ name = "stream" .. w, size = per_writer }
  streams[w] = sim.spawn("dd" .. w, function()
    for off = 0, per_writer - 65536, 65536 do f:pwrite(off, 65536) end
  end)
end

-- The light writer: rewrites 16 KiB of a small file every 50 ms and fsyncs it every
-- tenth time, until the streams are done.
local doc = sim.file{ name = "document", size = "1MiB" }
sim.spawn("editor", function()
  local saves = 0
  while true do
    local busy = false
    for _, t in ipairs(streams) do busy = busy or not t:is_done() end
    if not busy then break end
    doc:pwrite(sim.randint(0, 63) * 16384, 16384)
    saves = saves + 1
    if saves % 10 == 0 then doc:fsync() end
    sim.sleep("50ms")
  end
end)

sim.expect{
  ["*"] = { ["stall.throttle"] = ">0", ["throttle.max"] = "<= 200ms", lost_writes = 0,
            fsync_violations = 0 },
}
