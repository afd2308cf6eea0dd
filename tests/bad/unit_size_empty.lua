-- An empty size string.
-- exit: 2
-- stderr: unit_size_empty.lua:4: sim.device: max_request: bad size ""
sim.device{ max_request = "" }
