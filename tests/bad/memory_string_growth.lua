-- A string doubled until it no longer fits.
-- exit: 2
-- args: --mem-limit 16MiB
-- stderr: memory_string_growth.lua:7:
local s = "x"
while true do
	s = s .. s
end
