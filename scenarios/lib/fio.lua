-- fio.lua — sim.fio{...}: tasks described in fio's job vocabulary
-- (SCENARIO_API.md, "fio-style jobs").  Loaded by the binding on the first call of
-- sim.fio; everything here goes through the public scenario API.
--
--   name       job name; tasks are <name> (numjobs = 1) or <name>.0, <name>.1, ...
--   file       a File to work on; without it each job gets its own file of `size`
--   rw         read, write, randread, randwrite, rw (or readwrite), randrw
--   rwmixread  percentage of reads for rw/randrw (default 50)
--   bs         block size of each I/O (default 4KiB)
--   size       bytes of the file each job covers (default: the file from `offset` on)
--   offset     where that region starts (default 0)
--   ioengine   psync (pread/pwrite, default), mmap (loads and stores through a
--              shared mapping of the whole file), libaio or io_uring (asynchronous
--              direct I/O: f:dio_write / f:dio_read with async = true; needs direct=1)
--   iodepth    I/Os a libaio or io_uring job keeps in flight (default 1); when that
--              many are, it waits for the oldest (fio reaps any; completions of one
--              job mostly come in order).  Other engines ignore it, as fio does
--   direct     1 for O_DIRECT (psync, libaio, io_uring)
--   fsync      fsync (msync for mmap) after every N writes; 0 = never (default)
--   numjobs    clones of the job (default 1)
--   runtime    run for this long, going round the region as often as it takes;
--              without it the job does `loops` passes (default 1)
--   loops      passes over the region (a pass is size/bs I/Os, random or not)
--   thinktime  sleep between I/Os
--   startdelay delay before the job starts
--   process    the Process the jobs run in (default: one process per job)
--   cpu        the CPU the jobs run on (default: one CPU per task)
--
-- Returns the list of tasks it spawned.

local sim, pairs, ipairs, type, error, pcall, tostring = sim, pairs, ipairs, type, error, pcall, tostring
local math_type, concat, sort = math.type, table.concat, table.sort

local SUPPORTED = { "name", "file", "rw", "rwmixread", "bs", "size", "offset", "ioengine",
		    "iodepth", "direct", "fsync", "numjobs", "runtime", "loops", "thinktime",
		    "startdelay", "process", "cpu" }
local ENGINES = { psync = true, mmap = true, libaio = true, io_uring = true }
local KNOWN = {}
for _, k in ipairs(SUPPORTED) do KNOWN[k] = true end

local RW = {
	read = { read = 100 }, write = { read = 0 }, randread = { read = 100, random = true },
	randwrite = { read = 0, random = true }, rw = { mixed = true },
	readwrite = { mixed = true }, randrw = { mixed = true, random = true },
}

-- Errors point at the scenario's sim.fio call: level 1 is fail, 2 the job function,
-- 3 its caller (sim.fio tail-calls the job function, so that is the scenario).
local function fail(msg)
	error("sim.fio: " .. msg, 3)
end

-- A unit conversion whose error message loses the location of this file.
local function convert(fn, v, what)
	local ok, r = pcall(fn, v)
	if not ok then
		error("sim.fio: " .. what .. ": " .. tostring(r):gsub("^[^\n]-:%d+: ", ""):gsub("^sim%.%a+: ", ""), 3)
	end
	return r
end

local function count(job, k, default, lo, hi)
	local v = job[k]
	if v == nil then return default end
	if math_type(v) ~= "integer" or v < lo or (hi and v > hi) then
		error("sim.fio: " .. k .. " must be an integer " ..
		      (hi and ("from " .. lo .. " to " .. hi) or (">= " .. lo)) ..
		      ", got " .. tostring(v), 3)
	end
	return v
end

return function(job)
	if type(job) ~= "table" then fail("expected a table of fio options, got " .. type(job)) end
	local unknown = {}
	for k in pairs(job) do
		if not KNOWN[k] then unknown[#unknown + 1] = tostring(k) end
	end
	if #unknown > 0 then
		sort(unknown)
		fail("unsupported option '" .. unknown[1] .. "'; supported options: " ..
		     concat(SUPPORTED, ", "))
	end

	local name = job.name or "fio"
	if type(name) ~= "string" or name == "" then fail("name must be a non-empty string") end
	local rwname = job.rw or "read"
	local mode = RW[rwname]
	if not mode then
		fail("rw must be one of read, write, randread, randwrite, rw, readwrite, randrw; got " ..
		     tostring(rwname))
	end
	local rwmixread = count(job, "rwmixread", 50, 0, 100)
	local reads = mode.mixed and rwmixread or mode.read
	local ioengine = job.ioengine or "psync"
	if not ENGINES[ioengine] then
		fail("ioengine must be psync, mmap, libaio or io_uring, got " .. tostring(ioengine))
	end
	local async = ioengine == "libaio" or ioengine == "io_uring"
	local iodepth = count(job, "iodepth", 1, 1, 65536)
	local direct = job.direct
	if direct == nil or direct == 0 or direct == false then
		direct = false
	elseif direct == 1 or direct == true then
		direct = true
	else
		fail("direct must be 0 or 1, got " .. tostring(direct))
	end
	if direct and ioengine == "mmap" then fail("direct=1 needs ioengine=psync, libaio or io_uring") end
	if async and not direct then
		-- Buffered I/O through libaio blocks in io_submit, and io_uring hands it to
		-- worker threads the model does not have: only direct I/O is asynchronous here.
		fail("ioengine=" .. ioengine .. " needs direct=1 (the model's asynchronous I/O is "
		     .. "direct I/O; use psync for buffered I/O)")
	end
	local bs = convert(sim.size, job.bs or 4096, "bs")
	if bs == 0 then fail("bs must be positive") end
	local offset = convert(sim.size, job.offset or 0, "offset")
	local size = job.size ~= nil and convert(sim.size, job.size, "size") or nil
	local numjobs = count(job, "numjobs", 1, 1, 4096)
	local fsync_every = count(job, "fsync", 0, 0)
	local loops = count(job, "loops", 1, 1)
	local runtime = job.runtime ~= nil and convert(sim.duration, job.runtime, "runtime") or nil
	if runtime == 0 then fail("runtime must be positive") end
	local think = job.thinktime ~= nil and convert(sim.duration, job.thinktime, "thinktime") or 0
	local start = job.startdelay ~= nil and convert(sim.duration, job.startdelay, "startdelay") or 0
	local cpu = job.cpu
	local file = job.file
	if file ~= nil and (type(file) ~= "userdata" or not tostring(file):match("^File%(")) then
		fail("file must be a File (sim.file{...}), got " .. tostring(file))
	end
	if file == nil and size == nil then fail("give a file, or a size to create one") end
	if file ~= nil then
		local fsize = file:size()
		if offset >= fsize then fail("offset " .. offset .. " lies outside the file") end
		size = size or (fsize - offset)
		if offset + size > fsize then
			fail("offset " .. offset .. " + size " .. size .. " lies outside file '" ..
			     file:name() .. "' (" .. fsize .. " bytes)")
		end
	elseif offset ~= 0 then
		fail("offset needs a file (the file made from size starts at the region)")
	end
	if size < bs then fail("size " .. size .. " is smaller than bs " .. bs) end
	local process = job.process
	if process ~= nil and (type(process) ~= "userdata" or not tostring(process):match("^Process%(")) then
		fail("process must be a Process (sim.process{...}), got " .. tostring(process))
	end

	local nblocks = size // bs
	local tasks = {}
	for j = 0, numjobs - 1 do
		local tname = numjobs == 1 and name or (name .. "." .. j)
		local f = file or sim.file{ name = tname, size = size }
		local p = process or sim.process{ name = tname }
		local m = ioengine == "mmap" and p:mmap(f) or nil
		-- libaio / io_uring: the I/Os in flight, oldest first.
		local inflight, head, tail = {}, 1, 0
		local function reap_one()
			inflight[head]:wait()
			inflight[head] = nil
			head = head + 1
		end
		local function reap_all()
			while head <= tail do reap_one() end
		end
		local ASYNC = { async = true }
		local function body()
			local deadline = runtime and (sim.now_ns() + runtime)
			local writes, i, pass = 0, 0, 0
			while true do
				if deadline then
					if sim.now_ns() >= deadline then break end
				elseif pass >= loops then
					break
				end
				local blk = mode.random and sim.randint(0, nblocks - 1) or i
				local off = offset + blk * bs
				local read = reads == 100 or (reads > 0 and sim.randint(1, 100) <= reads)
				if m then
					if read then m:load(off, bs) else m:store(off, bs) end
				elseif async then
					if tail - head + 1 >= iodepth then reap_one() end
					local io
					if read then io = f:dio_read(off, bs, ASYNC) else io = f:dio_write(off, bs, ASYNC) end
					if io then      -- nil: the submission itself failed
						tail = tail + 1
						inflight[tail] = io
					end
				elseif direct then
					if read then f:dio_read(off, bs) else f:dio_write(off, bs) end
				else
					if read then f:pread(off, bs) else f:pwrite(off, bs) end
				end
				if not read then
					writes = writes + 1
					if fsync_every > 0 and writes % fsync_every == 0 then
						-- fio issues the sync once the writes before it are done.
						reap_all()
						if m then m:msync() else f:fsync() end
					end
				end
				if think > 0 then sim.sleep(think / 1e9) end
				i = i + 1
				if i >= nblocks then
					i, pass = 0, pass + 1
				end
			end
			reap_all()
		end
		tasks[#tasks + 1] = sim.spawn(tname, body, { process = p, cpu = cpu,
							     start = start / 1e9 })
	end
	return tasks
end
