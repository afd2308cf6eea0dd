-- A mapping of nothing.
-- exit: 2
-- stderr: size_zero_mapping.lua:6: proc:mmap: size must be positive
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.process{ name = "db" }
local m = p:mmap(f, { size = 0 })
