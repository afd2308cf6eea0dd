-- A duration of 30 000 years.
-- exit: 2
-- stderr: duration_absurd.lua:4: sim.scenario: duration: bad number of seconds "1000000000000": too large
sim.scenario{ name = "forever", duration = 1e12 }
