-- A short scenario that goes through most of the model for the valgrind run
-- (tests/valgrind/run.sh): buffered and direct I/O, a shared mapping with stores,
-- msync and munmap, a GUP pin written during writeback, fsync, sync_file_range,
-- sync(2), a fio job, events and joins, forked copies and bounces, a checksumming
-- device with a write cache, and expectations.  Milliseconds natively.
sim.scenario{ name = "valgrind-short", description = "a little of everything",
              policies = { "page-fork:pins=ignore", "bounce" } }
local rounds = sim.param("rounds", 12, "writes per writer")
sim.device{ integrity = true, write_cache = true, scheduler = "reorder", queue_depth = 8 }
sim.writeback{ interval = "2ms", expire = "4ms", memory = "64MiB" }
sim.costs{ tlb_shootdown = "2us" }
local f = sim.file{ name = "data", size = "256KiB" }
local g = sim.file{ name = "log", size = "64KiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { offset = 0, size = "128KiB" })
local ready = sim.event("ready")

local writer = sim.spawn("writer", function()
	for i = 1, rounds do
		f:pwrite((i % 16) * sim.PAGE_SIZE, 6000)
		m:store((i % 8) * sim.PAGE_SIZE + 100, 512)
		if i % 4 == 0 then m:msync() end
		sim.sleep("300us")
	end
	f:sync_range(0, 0, "write_wait")
	ready:set()
	f:fdatasync()
end, { process = p, cpu = 1 })

sim.spawn("pinner", function()
	local pin = m:pin(0, 4 * sim.PAGE_SIZE)
	for i = 1, rounds do
		pin:write((i % 4) * sim.PAGE_SIZE, 512)
		sim.sleep("250us")
	end
	pin:release()
	ready:wait()
	writer:join()
	f:dio_write(8192, 8192, { from = m, at = 4096 })
	assert(f:dio_read(0, 4096))
	assert(f:pread(0, 8192))
	m:load(0, 4096)
	m:unmap()
	sim.sync()
	sim.log("done at %d", sim.now_ns())
end, { process = p, cpu = 2 })

sim.fio{ name = "logger", file = g, rw = "randrw", bs = "4KiB", loops = 2, fsync = 4,
         thinktime = "100us" }
sim.expect{ ["*"] = { writes = ">0", ["write.p99"] = "<1s" } }
