-- string.dump is gone (it makes binary chunks).
-- exit: 2
-- stderr: sandbox_string_dump.lua:4: attempt to call a nil value (field 'dump')
local bytes = string.dump(function() return 1 end)
