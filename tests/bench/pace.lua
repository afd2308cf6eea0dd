-- pace: how fast a linux: run keeps a scenario's small steps (sim/linux/README.md,
-- "Pace").  One task, n steps of a 512-byte pwrite and a 20 us sleep; the model
-- takes about 23 us a step, the kernel what its wakeups allow.  Compare
--     wbsim run tests/bench/pace.lua --policy linux:stable_writes=0,spin=0
--     wbsim run tests/bench/pace.lua --policy linux:stable_writes=0
-- by sim_time / n (summary.json); mode=write or mode=sleep times one half alone.
sim.scenario{ name = "pace", description = "pwrite and sleep 20us, n times",
              policies = { "unrestricted" } }
local mode = sim.param("mode", "both", "write, sleep or both")
local n = sim.param("n", 2000, "steps")
local f = sim.file{ name = "log", size = "4MiB" }
sim.spawn("writer", function()
  for i = 1, n do
    if mode ~= "sleep" then f:pwrite((i % 64) * sim.PAGE_SIZE, 512) end
    if mode ~= "write" then sim.sleep("20us") end
  end
end)
