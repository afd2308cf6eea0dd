-- A duration in a unit wbsim does not know.
-- exit: 2
-- stderr: unit_duration_word.lua:4: sim.scenario: duration: bad duration "2 fortnights"
sim.scenario{ name = "long", duration = "2 fortnights" }
