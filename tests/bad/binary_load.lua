-- load() of a binary chunk: refused whatever the mode asked for.
-- exit: 2
-- stderr: binary_load.lua:6: load: only source text can be loaded (mode "t"); binary chunks are refused
local chunk = "\27LuaT\0\25\147\r\n\26\n"
assert(load(chunk) == nil)
local fn = load(chunk, "x", "b")
