-- The linux: target has no long-term pins (sim/linux/README.md says why): the task that
-- asks for one stops the run with an error naming the call and the target, after a
-- store that ran (so the run has started, and ends on the error path).
sim.scenario{ name = "linux-longterm", policies = { "linux:stable_writes=1" } }
local f = sim.file{ name = "a", size = "1MiB" }
local p = sim.process{ name = "p" }
local m = p:mmap(f)
sim.spawn("pinner", function()
  m:store(0, 4096)
  m:pin(0, 4096, { longterm = true })
end, { process = p })
