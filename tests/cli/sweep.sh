# wbsim sweep: the outputs of an in-process sweep (sweep.json, the point directories
# with their manifests, sweep.csv, sweep.md, charts), their arithmetic checked against
# the CSV, determinism (same bytes on reruns and with other thread counts), and every
# kind of bad grid: exit 2, a message that says what is wrong, nothing written.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
sc=$HERE/sweep.lua
grid=(--grid writers=1..4*2 --grid depth=1,8 --seeds 3)

wb 0 sweep "$sc" "${grid[@]}" --out a
# 3 writers values x 2 depths x 2 policies (the scenario's) x 3 seeds.
has "$T/out" "36 points"
[ "$(wc -l <a/sweep.csv)" = 37 ] || fail "sweep.csv has $(wc -l <a/sweep.csv) lines, not 1 + 36"
[ "$(find a/points -name manifest.json | wc -l)" = 36 ] || fail "not 36 manifests"
head -1 a/sweep.csv | grep -q '^param.writers,param.depth,policy,seed,passed,writes,stores,' ||
	fail "sweep.csv header: $(head -1 a/sweep.csv | cut -c1-80)"
# Row order: the first axis slowest, the seed fastest (point K is line K + 2).
[ "$(sed -n 2p a/sweep.csv | cut -d, -f1-4)" = "1,1,wait-on-writeback,1" ] || fail "row 1"
[ "$(sed -n 5p a/sweep.csv | cut -d, -f1-4)" = "1,1,unrestricted,1" ] || fail "row 4"
[ "$(sed -n 37p a/sweep.csv | cut -d, -f1-4)" = "4,8,unrestricted,3" ] || fail "last row"
m=a/points/writers=2_depth=8/unrestricted/seed-2/manifest.json
has $m '"policy" : "unrestricted"'
has $m '"seed" : 2'
has $m '"writers" : "2"'
has $m "\"scenario_sha256\" : \"$(sha256sum "$sc" | cut -d' ' -f1)\""
has a/points/writers=2_depth=8/unrestricted/seed-2/summary.json '"seed" : 2,'
has a/sweep.json '"points" : 36'
[ -z "$(find a -name '*.tmp')" ] || fail "temporary files left behind"

# sweep.md: a cell is the mean of its seeds' rows ± t * sd / sqrt(n), with t(0.975, 2
# degrees of freedom) = 4.303 (closed form: sqrt(2 * 0.9025 / 0.0975)).  Recompute
# checksum_errors for writers=4, depth=1, unrestricted from sweep.csv.
col=$(head -1 a/sweep.csv | tr , '\n' | grep -nx checksum_errors | cut -d: -f1)
want=$(awk -F, -v c="$col" '$1 == 4 && $2 == 1 && $3 == "unrestricted" { x[++n] = $c; s += $c }
	END { m = s / n; for (i = 1; i <= n; i++) q += (x[i] - m) ^ 2
	      printf "%.1f ± %.1f", m, sqrt(2 * 0.9025 / 0.0975) * sqrt(q / (n - 1)) / sqrt(n) }' a/sweep.csv)
case "$want" in 0.0*) fail "no checksum errors to check the interval with ($want)" ;; esac
want=${want/.0 ±/ ±}; want=${want%.0}        # whole numbers print without decimals
line=$(awk '/^## checksum_errors/ { on = 1 } on && /^\| 4 \| 1 \|/ { print; exit }' a/sweep.md)
echo "$line" | grep -qF "| $want |" || fail "sweep.md's cell \"$line\" is not | $want |"
has a/sweep.md "Student t, 2 degrees of freedom: ± 4.303 standard errors"
has a/sweep.md "| writers | depth | wait-on-writeback | unrestricted |"

# Same inputs, same bytes: another run, with one thread instead of two.
wb 0 sweep "$sc" "${grid[@]}" --out b --threads 1
cmp a/sweep.csv b/sweep.csv || fail "sweep.csv differs between identical sweeps"
cmp a/sweep.md b/sweep.md || fail "sweep.md differs between identical sweeps"

# One seed: the value alone, and md says so.
wb 0 sweep "$sc" --grid writers=1,2 --out one --metric stores,checksum_errors
has one/sweep.md "One seed"
lacks one/sweep.md "±"
has one/sweep.md "## stores"
lacks one/sweep.md "## store.p99"
# 2 writers x 30 stores each: the stores column holds 60.
has one/sweep.md "| 2 | 60 | 60 |"

# --plot: one chart per metric and swept parameter per value of the other, PNG + SVG.
wb 0 sweep "$sc" "${grid[@]}" --out a --plot --metric checksum_errors
for c in checksum_errors-vs-writers--depth=1 checksum_errors-vs-writers--depth=8 \
	checksum_errors-vs-depth--writers=1 checksum_errors-vs-depth--writers=4; do
	[ -s "a/charts/$c.png" ] && [ -s "a/charts/$c.svg" ] || fail "no chart $c"
done
[ "$(ls a/charts | wc -l)" = 10 ] || fail "charts: $(ls a/charts)"
has a/charts/checksum_errors-vs-writers--depth=1.svg "unrestricted"
has "$T/err" "0 points run, 36 already complete"
# A parameter spanning a factor of 8 or more is drawn on a log axis with its tics at
# the swept values as given (gnuplot's own would be 1, 2, 4, 8), and the y label
# carries the metric's unit from the metric table.
wb 0 sweep "$sc" --grid writers=1,3,9 --out logx --plot --metric checksum_errors
svg=logx/charts/checksum_errors-vs-writers.svg
has "$svg" ">3</text>"
has "$svg" ">9</text>"
lacks "$svg" ">8</text>"
has "$svg" "checksum_errors (requests)"

# ---- bad grids: exit 2, the message, and nothing written ---------------------------
bad() {   # bad WORDS ARGS...: the sweep fails, says WORDS, writes nothing
	local words=$1; shift
	wb 2 sweep "$@" --out bad
	has "$T/err" "$words"
	[ ! -e bad ] || fail "wbsim sweep $* wrote $(find bad | head -3)"
}
bad 'has no parameter "nosuch"; its parameters (sim.param) are: writers (default 2), depth' \
	"$sc" --grid nosuch=1,2
bad 'an empty list of values' "$sc" --grid writers=
bad 'an empty value in the list' "$sc" --grid writers=1,,2
bad 'the value 2 comes twice' "$sc" --grid writers=1..4,2
bad '--grid writers=x: expected an integer (the default of writers is 2)' "$sc" --grid writers=1,x
bad '--grid writers=1.5: expected an integer' "$sc" --grid writers=1..2+0.5
bad '--grid gap=fast: expected a number' "$sc" --grid gap=0.1,fast
bad '--grid sync=maybe: expected true or false' "$sc" --grid sync=true,maybe
bad 'the range "1..x" does not parse: the end is not a number' "$sc" --grid writers=1..x
bad 'the range "8..1" does not parse: the end is below the start' "$sc" --grid writers=8..1
bad 'the range "0..8*2" does not parse: a geometric range must start above 0' "$sc" --grid depth=0..8*2
bad '--grid wants NAME=V1,V2' "$sc" --grid writers
bad '--grid writers is given twice' "$sc" --grid writers=1 --grid writers=2
bad 'writers is both swept (--grid) and fixed (--set)' "$sc" --grid writers=1,2 --set writers=3
bad '--metric nosuch: no such metric' "$sc" --grid writers=1,2 --metric nosuch
bad '--point 9: the sweep has 2 points, 0..1' "$sc" --grid writers=1,2 --policies unrestricted --point 9
bad 'more than 1000000 points' "$sc" --grid writers=1..10000 --grid depth=1..10000
bad '--emit cron: parallel or slurm' "$sc" --emit cron
bad 'unknown policy' "$sc" --policies no-such-policy
# A value the scenario itself refuses (its own check, with its file and line).
bad 'the value 0 does not suit the scenario' "$sc" --grid depth=0,4
wb 2 sweep "$sc" --grid writers=1
has "$T/err" "--out DIR is required"
