-- A size past 2^64 bytes.
-- exit: 2
-- stderr: size_overflow_unit.lua:4: sim.file: size: bad size "99999999999999999999GiB": too large
local f = sim.file{ name = "data", size = "99999999999999999999GiB" }
