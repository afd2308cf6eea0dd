-- A syntax error: the whole file is refused before anything is declared.
-- exit: 2
-- stderr: syntax_unexpected_symbol.lua:6:
-- stderr: unexpected symbol near '='
local f = sim.file{ name = "data", size = "1MiB" }
local n = = 4
