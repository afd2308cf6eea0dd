# A bad scenario: exit 2, the Lua error with file:line on stderr, no results.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"

wb 2 run "$HERE/bad.lua" --out r
has "$T/err" "bad.lua:4"
has "$T/err" "lots"
[ ! -s "$T/out" ] || fail "stdout is not empty"
wb 2 compare "$HERE/bad.lua" --out r
has "$T/err" "bad.lua:4"
[ ! -e r ] || fail "a bad scenario left results behind"
