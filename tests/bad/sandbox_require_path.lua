-- require() takes module names, not paths.
-- exit: 2
-- stderr: sandbox_require_path.lua:4: require: bad module name "../../../etc/passwd"
local p = require("../../../etc/passwd")
