-- fork-idle-cost: "page forking costs nearly nothing when there is no conflict".
--
-- A streaming writer writes a large file once, front to back, and fsyncs at the end:
-- no page is ever modified while under writeback, so page-fork never forks and
-- should cost what unrestricted costs.  wait-on-writeback does not wait either.
--
-- Look at: forks (0), write.p99 and fsync.max per policy (about equal), cpu.copy
-- (bounce pays a copy per page written, even here).  Knob: `size`.
sim.scenario{
  name = "fork-idle-cost",
  description = "write-once streaming: page forking has nothing to fork",
  policies = { "unrestricted", "page-fork", "wait-on-writeback", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local mib = math.max(1, math.floor(256 * scale))

sim.device{ integrity = true }
local f = sim.file{ name = "stream", size = mib .. "MiB" }

sim.spawn("streamer", function()
  local chunk = 64 * 1024
  for off = 0, mib * 1024 * 1024 - chunk, chunk do
    f:pwrite(off, chunk)
  end
  f:fsync()
end)

sim.expect{
  ["page-fork"] = { forks = 0, ["stall.stable"] = 0, checksum_errors = 0 },
  ["unrestricted"] = { checksum_errors = 0 },
  ["wait-on-writeback"] = { ["stall.stable"] = 0 },
  ["bounce"] = { bounces = ">0" },
  ["*"] = { lost_writes = 0, fsync_violations = 0, redundant_writes = 0 },
}
