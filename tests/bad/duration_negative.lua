-- A negative duration.
-- exit: 2
-- stderr: duration_negative.lua:4: sim.scenario: duration: bad number of seconds "-1": must not be negative
sim.scenario{ name = "negative", duration = -1 }
