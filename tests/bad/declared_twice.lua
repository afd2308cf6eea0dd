-- sim.writeback may be declared once.
-- exit: 2
-- stderr: declared_twice.lua:6: sim.writeback may be called only once (first called at
-- stderr: declared_twice.lua:5)
sim.writeback{ interval = "1s" }
sim.writeback{ expire = "2s" }
