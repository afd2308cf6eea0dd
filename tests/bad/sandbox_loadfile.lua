-- No dofile, no loadfile.
-- exit: 2
-- stderr: sandbox_loadfile.lua:5: attempt to call a nil value (global 'loadfile')
assert(dofile == nil)
local chunk = loadfile("/etc/passwd")
