-- A function never closed: Lua reports the end of the file and where it opened.
-- exit: 2
-- stderr: syntax_unclosed_function.lua:10:
-- stderr: 'end' expected (to close 'function' at line 6)
local f = sim.file{ name = "data", size = "1MiB" }
sim.spawn("writer", function()
	for i = 0, 3 do
		f:pwrite(i * 4096, 4096)
	end
