-- --set of a boolean parameter to something that is not one.
-- exit: 2
-- args: --set integrity=maybe
-- stderr: set_wrong_bool.lua:5: --set integrity=maybe: expected true or false
sim.device{ integrity = sim.param("integrity", false, "checksumming device") }
