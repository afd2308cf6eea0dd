-- A size with a unit that does not exist (XiB) or a decimal one wbsim does not take.
-- exit: 2
-- stderr: unit_size_suffix.lua:6: proc:mmap: size: bad size "4XiB"
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { size = "4XiB" })
