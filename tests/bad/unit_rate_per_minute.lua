-- A rate per minute: only per second is accepted.
-- exit: 2
-- stderr: unit_rate_per_minute.lua:4: sim.device: bandwidth: bad rate "2GiB/min"
sim.device{ bandwidth = "2GiB/min" }
