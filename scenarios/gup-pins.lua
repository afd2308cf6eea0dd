-- gup-pins: elevated reference counts (get_user_pages).
--
-- An RDMA-like pin holder keeps pages of a shared mapping pinned and writes into them
-- at any moment, with no fault and no PTE check; an application thread also writes
-- those pages with write(2); writeback runs.  Stable pages stop the application, not
-- the pin holder: on a checksumming device its writes during writeback fail requests.
-- Page forking with pins=ignore copies pinned pages and leaves the holder writing into
-- the old copy, which nobody writes back: its updates are lost.  With pins=wait the
-- application waits for the pin instead (Tux3's answer; stalls as long as pins last).
-- Bouncing writes from a snapshot, so nothing the holder does reaches a request.
--
-- Look at: checksum_errors, lost_writes, stall.pin, bounces.  Knob: `pin_hold` (how
-- long a pin lasts before it is released and taken again).
sim.scenario{
  name = "gup-pins",
  description = "pin holders writing during writeback: what each policy does about GUP",
  policies = { "wait-on-writeback", "stable-if-required", "unrestricted",
               "page-fork", "page-fork:pins=ignore", "bounce" },
}

local scale = sim.param("scale", 1.0, "amount of work (1 = the reference run)")
local hold = sim.param("pin_hold", 0.002, "seconds each pin is held")
local rounds = math.max(2, math.floor(40 * scale))

sim.device{ integrity = true }
local f = sim.file{ name = "buffers", size = "256KiB" }
local rdma = sim.process{ name = "rdma" }
local m = rdma:mmap(f)
local pages = 64

sim.spawn("pin-holder", function()
  for r = 1, rounds do
    local pin = m:pin(0, pages * sim.PAGE_SIZE)
    for i = 1, 40 do
      pin:write(sim.randint(0, pages - 1) * sim.PAGE_SIZE, 512)
      sim.sleep(hold / 40)
    end
    pin:release()
  end
end, { process = rdma })

sim.spawn("app", function()
  for i = 1, rounds * 40 do
    f:pwrite(sim.randint(0, pages - 1) * sim.PAGE_SIZE, 4096)
    sim.sleep("50us")
  end
end, { process = rdma })

sim.spawn("flusher", function()
  for i = 1, rounds * 10 do
    sim.sleep("200us")
    f:sync_range(0, pages * sim.PAGE_SIZE, "write")
  end
end)

sim.expect{
  ["wait-on-writeback"]     = { checksum_errors = ">0" },
  ["stable-if-required"]    = { checksum_errors = ">0" },
  ["unrestricted"]          = { checksum_errors = ">0" },
  ["page-fork"]             = { ["stall.pin"] = ">0", lost_writes = 0 },
  ["page-fork:pins=ignore"] = { lost_writes = ">0", ["stall.pin"] = 0 },
  ["bounce"]                = { checksum_errors = 0, lost_writes = 0 },
}
