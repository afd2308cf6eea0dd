-- A number without its unit, as a string.
-- exit: 2
-- stderr: unit_duration_space.lua:4: sim.device: write_latency: bad duration "20"
sim.device{ write_latency = "20" }
