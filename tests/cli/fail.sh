# An expectation that fails: exit 1, FAIL with the scenario's file and line, the
# results written all the same.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"

wb 1 run "$HERE/fail.lua" --out r
has "$T/out" "FAIL"
has "$T/out" "fail.lua:8"
has "$T/out" "write.count == 0"
has "$T/out" "PASS"
s=r/cli-fail/unrestricted/summary.json
[ -s "$s" ] || fail "no summary.json after a failed expectation"
has "$s" '"passed" : false'
has "$s" '"pass" : false'

wb 1 compare "$HERE/fail.lua" --out r --policies unrestricted,wait-on-writeback
has "$T/out" "FAIL"
has "$T/out" "fail.lua:8"
has r/cli-fail/compare.json '"passed" : false'
