-- sim.size reads sizes as declarations do, and refuses the same.
-- exit: 2
-- stderr: unit_sim_size.lua:4: sim.size: bad size "1.5.2KiB"
local n = sim.size("1.5.2KiB")
