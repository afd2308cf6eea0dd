-- No debug library: the budget's hook cannot be removed.
-- exit: 2
-- stderr: sandbox_debug.lua:4: attempt to index a nil value (global 'debug')
debug.sethook()
