# --profile FILE: a calibration profile's sim.device/sim.costs values replace the
# scenario's, declared or default (run/profile.h); what it does not set stays; a bad
# profile is an error naming it, exit 2.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
small=$HERE/small.lua
cat >p.lua <<'P'
-- as `wbsim calibrate -o` writes them
sim.costs{
  syscall = "2000ns",
  copy_page = "600ns",
}
sim.device{
  write_latency = "5ms",
  flush_latency = "7ms",
  queue_depth = 4,
  jitter = 0,
}
P
wb 0 run "$small" --policy unrestricted --out a
wb 0 run "$small" --policy unrestricted --out b --profile p.lua
fa=$(jq '.metrics["fsync.mean"]' a/cli-small/unrestricted/summary.json)
fb=$(jq '.metrics["fsync.mean"]' b/cli-small/unrestricted/summary.json)
wa=$(jq '.metrics["write.mean"]' a/cli-small/unrestricted/summary.json)
wb_=$(jq '.metrics["write.mean"]' b/cli-small/unrestricted/summary.json)
# The device got 5 ms writes: an fsync takes at least that; writes pay 2 us syscalls.
awk -v a="$fa" -v b="$fb" 'BEGIN { exit !(b >= 5000000 && b > 10 * a) }' ||
	fail "fsync.mean $fa without the profile, $fb with it"
awk -v a="$wa" -v b="$wb_" 'BEGIN { exit !(b >= 2000 && b > a) }' ||
	fail "write.mean $wa without the profile, $wb_ with it"
# integrity = true is the scenario's and the profile does not set it: still checked.
grep -q '"checksum_errors" : 0' b/cli-small/unrestricted/summary.json || fail "integrity lost"
# compare takes it too.
wb 0 compare "$small" --policies unrestricted,wait-on-writeback --profile p.lua --out c
cmp <(deterministic b/cli-small/unrestricted/summary.json) \
	<(deterministic c/cli-small/unrestricted/summary.json) || fail "compare applied it differently"
# Bad profiles: exit 2, one line naming the file and what is wrong.
echo 'sim.device{ bogus = 1 }' >bad1.lua
wb 2 run "$small" --profile bad1.lua --out x
has "$T/err" "bad1.lua"
has "$T/err" "bogus"
echo 'os.exit(3)' >bad2.lua
wb 2 run "$small" --profile bad2.lua --out x
has "$T/err" "bad2.lua"
wb 2 run "$small" --profile nonexistent.lua --out x
[ ! -e x ] || fail "a bad profile wrote results"
echo ok
