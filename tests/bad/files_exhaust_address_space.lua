-- More 16 TiB files than the address space has room for: each reserves a quarter of
-- a terabyte for its blocks and marks, and a process has 128 TiB at most.
-- exit: 2
-- stderr: files_exhaust_address_space.lua:6: sim.file: cannot reserve address space for file
for i = 1, 1000 do
  sim.file{ name = "huge" .. i, size = "16TiB" }
end
