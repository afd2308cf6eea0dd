-- __gc finalisers would run when memory says so: refused.
-- exit: 2
-- stderr: sandbox_gc.lua:4: setmetatable: __gc metamethods are not available to scenarios
local t = setmetatable({}, { __gc = function() os.exit(1) end })
