# Usage, help and exit status 2 for every kind of bad input that is caught before
# a scenario runs (no scenario runner needed), and `wbsim policies`.
. "$(dirname "$0")/lib.sh" "$@"

wb 2
has "$T/err" "wbsim run SCENARIO.lua"
wb 0 --help
for c in "run SCENARIO.lua" "compare SCENARIO.lua" "policies" "plot DIR"; do has "$T/out" "wbsim $c"; done
wb 0 help
has "$T/out" "wbsim compare SCENARIO.lua"
wb 0 --version
has "$T/out" "wbsim"
wb 2 frobnicate
has "$T/err" 'unknown command "frobnicate"'
wb 2 --frobnicate
has "$T/err" "frobnicate"

for c in run compare policies plot; do
	wb 0 "$c" --help
	has "$T/out" "wbsim $c"
	wb 0 help "$c"
	has "$T/out" "wbsim $c"
done
wb 0 run --help
has "$T/out" "page-fork_pins=ignore"          # how policy directories are named
has "$T/out" "Exit status"
wb 0 compare --help
has "$T/out" "--seeds"
has "$T/out" "mean"

wb 0 policies
for p in wait-on-writeback unrestricted stable-if-required page-fork bounce; do
	has "$T/out" "$p"
done
has "$T/out" "pins=wait|ignore  (default: wait)"
wb 2 policies extra

cd "$T"
small=$HERE/small.lua
wb 2 run
has "$T/err" "which scenario"
wb 2 run "$small" "$small"
wb 2 run "$T/no-such.lua"
has "$T/err" "no-such.lua: no such file"
wb 2 run "$T"
has "$T/err" "not a regular file"
wb 2 run "$small" --policy no-such-policy
has "$T/err" 'unknown policy "no-such-policy"'
has "$T/err" "wait-on-writeback"               # the message lists the policies
wb 2 run "$small" --policy page-fork:pins=sometimes
has "$T/err" "pins"
wb 2 run "$small" --set novalue
has "$T/err" "--set wants NAME=VALUE"
wb 2 run "$small" --seed -1
has "$T/err" "--seed"
wb 2 run "$small" --seed lots
wb 2 run "$small" --mem-limit 12parsecs
has "$T/err" "--mem-limit"
wb 2 run "$small" --timeline-interval 5
has "$T/err" "--timeline-interval"
wb 2 run "$small" --no-such-option
has "$T/err" "no-such-option"
wb 2 compare "$small" --seeds 0
has "$T/err" "--seeds"
wb 2 compare "$small" --policies ",unrestricted"
wb 2 compare "$small" --policies "unrestricted,nope"
has "$T/err" 'unknown policy "nope"'
wb 2 compare
wb 2 plot
wb 2 plot "$T/no-such-dir"
has "$T/err" "not a directory"
# None of that wrote anything.
[ ! -e "$T/results" ] || fail "a failed command left $T/results behind"
