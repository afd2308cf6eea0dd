-- A helper module for syntax_in_required_module.lua, broken on purpose.
local M = {}
M.x = )
return M
