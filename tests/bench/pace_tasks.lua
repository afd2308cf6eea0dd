-- pace_tasks: how many ops a second a linux: run can carry when several tasks share
-- the machine (sim/linux/README.md, "Pace").  `procs` processes with `threads` tasks
-- each store 64 bytes into a shared mapping of 16 pages, n times, with no sleep: after
-- the first touches a store is a memory write, so the run's length is the harness's
-- (the loop resuming each task, a worker in each process performing its op).  The
-- model takes well under a microsecond a store.  Compare sim_time / (procs x threads
-- x n) (summary.json) across `threads` and `procs`, and with spin=0:
--     wbsim run tests/bench/pace_tasks.lua --policy linux:stable_writes=0 --set procs=4
sim.scenario{ name = "pace-tasks", description = "stores from procs x threads tasks, no sleep",
              policies = { "unrestricted" } }
local procs = sim.param("procs", 1, "processes")
local threads = sim.param("threads", 2, "tasks in each process")
local n = sim.param("n", 2000, "stores a task")
local f = sim.file{ name = "shared", size = "64KiB" }
for p = 1, procs do
  local proc = sim.process{ name = "proc-" .. p }
  local m = proc:mmap(f)
  for th = 1, threads do
    sim.spawn("p" .. p .. "-t" .. th, function()
      for i = 1, n do
        m:store((i % 16) * sim.PAGE_SIZE, 64)
      end
    end, { process = proc })
  end
end
