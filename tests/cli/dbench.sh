# scenarios/dbench.lua, the shape of the dbench run in the message of Linux commit
# 1d1d1a767206 (WriteX max 59.8 ms with stable pages always, 4.27 ms with stable
# pages only when the device needs them): waiting on writeback moves the maximum
# write latency by 5x or more while the 99th percentile stays within 1.5x, because
# few writes meet a page under writeback.  Only the waiting policy stalls.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
# The ratios are checked before the exit status, so that a broken mechanism shows
# in them and not only in an expectation of the scenario's.
rc=0
"$WBSIM" compare "$SRC/scenarios/dbench.lua" --set scale=0.5 --out a >out 2>err || rc=$?
csv=a/dbench/compare.csv
has "$csv" "metric,wait-on-writeback,stable-if-required"
get() { awk -F, -v m="$1" -v c="$2" '$1 == m { print $c }' "$csv"; }   # get METRIC COLUMN
awk -v s="$(get write.max 2)" -v r="$(get write.max 3)" 'BEGIN { exit !(r > 0 && s >= 5 * r) }' ||
	fail "write.max $(get write.max 2) ns under wait-on-writeback is not 5x $(get write.max 3) ns"
awk -v s="$(get write.p99 2)" -v r="$(get write.p99 3)" 'BEGIN { exit !(s <= 1.5 * r && r <= 1.5 * s) }' ||
	fail "write.p99 $(get write.p99 2) ns vs $(get write.p99 3) ns: more than 1.5x apart"
awk -v s="$(get stall.stable 2)" -v r="$(get stall.stable 3)" 'BEGIN { exit !(s > 0 && r == 0) }' ||
	fail "stall.stable: $(get stall.stable 2) and $(get stall.stable 3)"
[ $rc = 0 ] || { cat out err; fail "wbsim compare exited $rc"; }
echo ok
