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

# An unknown policy in the scenario's own list names the scenario.
printf 'sim.scenario{ name = "np", policies = { "nope" } }\n' > "$T/np.lua"
wb 2 compare "$T/np.lua" --out r
has "$T/err" "np.lua: sim.scenario{policies}: unknown policy \"nope\""
[ ! -e r ] || fail "a bad policy list left results behind"
