-- No os library: os.execute does not exist.
-- exit: 2
-- stderr: sandbox_os_execute.lua:5: attempt to index a nil value (global 'os')
local f = sim.file{ name = "data", size = "1MiB" }
os.execute("touch /tmp/wbsim-sandbox-escaped")
