-- mmap-ptes: Ted Ts'o's worry about page forking and mmap.
--
-- N processes, each with two threads on their own CPUs, store into a shared mapping
-- of one file while writeback runs.  Every page writeback must write-protect every
-- PTE of the page (an rmap walk) and shoot down the TLB of every other CPU running
-- each address space; a fork must then re-point all those PTEs to the copy and shoot
-- down again.  Stable pages pay the same write-protection but no re-pointing.
--
-- `procs` changes how many address spaces map the file and nothing else: the threads
-- make a fixed number of stores between them (24000 at scale 1) at a fixed overall
-- rate (1.6 per microsecond: each thread stores on a period of 5 us x threads / 8,
-- catching up when a store took longer), and a separate process msyncs after every
-- `per_msync` of them, wherever they came from.  So every msync has the same stores
-- behind it whatever `procs` is; more processes mean more PTEs per page to
-- write-protect or re-point and more CPUs to shoot down.  (Until issue 22 each thread
-- made a fixed number of stores and the msyncs came every 200 us, so more processes
-- also meant more stores per msync.)
--
-- Look at: pte_updates, tlb_shootdowns, cpu.pte + cpu.tlb, store.p99, and how they grow
-- with `procs`:  wbsim sweep scenarios/mmap-ptes.lua --grid procs=1..8*2 --out DIR
sim.scenario{
  name = "mmap-ptes",
  description = "stores through a shared mapping from N processes: PTE and TLB work",
  policies = { "wait-on-writeback", "page-fork", "unrestricted", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local procs = sim.param("procs", 4, "processes mapping the file (2 threads each)")
local per_msync = sim.param("per_msync", 320, "stores between two msyncs")
local threads = 2 * procs
local total = math.floor(3000 * scale) * 8
local think_ns = 5000 * threads // 8

sim.device{ write_latency = "300us" }
local f = sim.file{ name = "shared", size = "1MiB" }
local pages = 256

-- The stores made so far, and an event per msync that the store completing its
-- batch sets.
local done, due = 0, {}
local function batch(n)
  due[n] = due[n] or sim.event("msync " .. n)
  return due[n]
end

for p = 1, procs do
  local proc = sim.process{ name = "proc-" .. p }
  local m = proc:mmap(f)
  for th = 1, 2 do
    local k = (p - 1) * 2 + th
    -- the total split as evenly as it goes: the first threads take the remainder
    local mine = total // threads + (k <= total % threads and 1 or 0)
    sim.spawn("p" .. p .. "-t" .. th, function()
      local t0 = sim.now_ns()
      for i = 1, mine do
        m:store(sim.randint(0, pages - 1) * sim.PAGE_SIZE + sim.randint(0, 4000), 64)
        done = done + 1
        if done % per_msync == 0 then batch(done // per_msync):set() end
        local left = t0 + i * think_ns - sim.now_ns()
        if left > 0 then sim.sleep(string.format("%dns", left)) end
      end
    end, { process = proc })
  end
end

-- A separate process msyncs, so writeback write-protects every mapping's PTEs.
local syncproc = sim.process{ name = "syncd" }
local sm = syncproc:mmap(f)
sim.spawn("syncd", function()
  for n = 1, total // per_msync do
    batch(n):wait()
    sm:msync()
  end
end, { process = syncproc })

sim.expect{
  ["page-fork"] = { forks = ">0", lost_writes = 0, stale_reads = 0 },
  ["wait-on-writeback"] = { forks = 0, ["stall.stable"] = ">0" },
  ["*"] = { pte_updates = ">0", tlb_shootdowns = ">0", lost_writes = 0, fsyncs = total // per_msync },
}
