-- Calling something that does not exist at the top level (a typo in the API).
-- exit: 2
-- stderr: top_call_nil.lua:6:
-- stderr: attempt to call a nil value (field 'proces')
local f = sim.file{ name = "data", size = "1MiB" }
local p = sim.proces{ name = "db" }
