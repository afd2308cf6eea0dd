-- The workload ends (duration) while m:pin is still faulting pages in: the pin has
-- only its first pages, and releasing it at exit went through the NULL ones.
-- (Minimised from the fuzzer's pin-cut-short-dio.lua; segfaulted before the fix.)
sim.scenario{ name = "cut", duration = "30us" }
local f = sim.file{ name = "db", size = "1MiB" }
local p = sim.process{ name = "app" }
local m = p:mmap(f)
sim.spawn("pinner", function()
	local pin = m:pin(0, "1MiB")
end, { process = p })
