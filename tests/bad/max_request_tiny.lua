-- Requests smaller than a page.
-- exit: 2
-- stderr: max_request_tiny.lua:4: sim.device: max_request: must be between 4096 and 33554432 (got 512)
sim.device{ max_request = "512B" }
