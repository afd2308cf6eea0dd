-- No package library: no C modules through package.loadlib.
-- exit: 2
-- stderr: sandbox_package.lua:4: attempt to index a nil value (global 'package')
local open = package.loadlib("libc.so.6", "system")
