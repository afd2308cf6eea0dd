-- wbsim calibrate: this machine (vm, Linux 6.18.44-fc-v1272), measured, as model values.
-- Load with --profile FILE: each value here replaces the scenario's, declared
-- or default (run/profile.h); what it does not set stays the scenario's.
-- The device is a buffered loop device on an image file, the one linux: runs use.
-- 32 in flight: 4 KiB writes 162912/s (median 184401ns), reads 249718/s (median 115869ns).
sim.costs{
  -- getppid(2) in a loop: median of 9 rounds of 100000
  syscall = "968ns",
  -- memcpy of 4 KiB streaming through two 64 MiB buffers: cache-cold (warm, in L1: 34ns)
  copy_page = "314ns",
  -- first store to each of 4096 clean pages of a shared ext4 mapping, PTEs present read-only: write-protect fault + page_mkwrite + dirtying (no copy involved); median of 9 rounds
  fault = "11783ns",
  -- mprotect over 4096 present anonymous pages, to read-only and back: per PTE, one TLB flush per call amortised
  pte_update = "200ns",
}
sim.device{
  -- 4 KiB O_DIRECT pwrite to the loop device, one in flight: median of 2000
  write_latency = "22823ns",
  -- 4 KiB O_DIRECT pread, one in flight: median of 2000
  read_latency = "18495ns",
  -- fsync(2) of the device after a 4 KiB write: median of 30
  flush_latency = "217875ns",
  -- 1 MiB O_DIRECT sequential writes over 64 MiB: median of 3 passes
  bandwidth = "1292MiB/s",
  -- requests served at once: 4 KiB writes per second at 32 in flight (Linux AIO) times the one-in-flight latency
  queue_depth = 4,
  -- coefficient of variation of the one-in-flight write latencies
  jitter = 0.33,
}
