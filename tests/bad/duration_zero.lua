-- A scenario that may not run at all.
-- exit: 2
-- stderr: duration_zero.lua:4: sim.scenario: duration must be positive
sim.scenario{ name = "zero", duration = "0s" }
