-- An unknown policy on the command line: refused before the scenario is read.
-- exit: 2
-- args: --policy page-forking
-- stderr: wbsim run: unknown policy "page-forking"; the policies are:
-- noline: the mistake is in the command line; the scenario is fine
local f = sim.file{ name = "data", size = "1MiB" }
