-- load() with an environment of its own still finds no io.
-- exit: 2
-- stderr: [string "return io.open('/etc/passwd')"]:1: attempt to index a nil value (global 'io')
-- noline: the error is in the chunk made by load(), named by its chunk name
local fn = load("return io.open('/etc/passwd')", nil, "t", _G)
local h = fn()
