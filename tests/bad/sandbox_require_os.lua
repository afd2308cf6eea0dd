-- The standard modules cannot be required back.
-- exit: 2
-- stderr: sandbox_require_os.lua:4: require: module "os" not found
local os = require("os")
