-- mmap-ptes: Ted Ts'o's worry about page forking and mmap.
--
-- N processes, each with two threads on their own CPUs, store into a shared mapping
-- of one file while writeback runs.  Every page writeback must write-protect every
-- PTE of the page (an rmap walk) and shoot down the TLB of every other CPU running
-- each address space; a fork must then re-point all those PTEs to the copy and shoot
-- down again.  Stable pages pay the same write-protection but no re-pointing.
--
-- Look at: pte_updates, tlb_shootdowns, cpu.pte + cpu.tlb, store.p99, and how they grow
-- with `procs` (run with --set procs=1, 2, 4, 8).
sim.scenario{
  name = "mmap-ptes",
  description = "stores through a shared mapping from N processes: PTE and TLB work",
  policies = { "wait-on-writeback", "page-fork", "unrestricted", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local procs = sim.param("procs", 4, "processes mapping the file (2 threads each)")
local stores = math.floor(3000 * scale)

sim.device{ write_latency = "300us" }
local f = sim.file{ name = "shared", size = "1MiB" }
local pages = 256

for p = 1, procs do
  local proc = sim.process{ name = "proc-" .. p }
  local m = proc:mmap(f)
  for th = 1, 2 do
    sim.spawn("p" .. p .. "-t" .. th, function()
      for i = 1, stores do
        m:store(sim.randint(0, pages - 1) * sim.PAGE_SIZE + sim.randint(0, 4000), 64)
        sim.sleep("5us")
      end
    end, { process = proc })
  end
end

-- msync every 200 us by a separate process, so writeback write-protects often.
local syncproc = sim.process{ name = "syncd" }
local sm = syncproc:mmap(f)
sim.spawn("syncd", function()
  for i = 1, math.floor(stores / 40) do
    sim.sleep("200us")
    sm:msync()
  end
end, { process = syncproc })

sim.expect{
  ["page-fork"] = { forks = ">0", lost_writes = 0, stale_reads = 0 },
  ["wait-on-writeback"] = { forks = 0, ["stall.stable"] = ">0" },
  ["*"] = { pte_updates = ">0", tlb_shootdowns = ">0", lost_writes = 0 },
}
