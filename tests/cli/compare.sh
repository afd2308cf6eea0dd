# wbsim compare: policies as columns, compare.{csv,json,md}, each run's files,
# --policies with option lists, --seeds, and determinism of the comparison.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
small=$HERE/small.lua

wb 0 compare "$small" --out a
d=a/cli-small
for f in compare.csv compare.json compare.md wait-on-writeback/summary.json \
	unrestricted/summary.json unrestricted/latency.csv unrestricted/timeline.csv; do
	[ -s "$d/$f" ] || fail "no $d/$f"
done
[ "$(head -1 $d/compare.csv)" = "metric,wait-on-writeback,unrestricted" ] ||
	fail "compare.csv columns: $(head -1 $d/compare.csv)"
grep -q '^write.p99,[0-9]*,[0-9]*$' $d/compare.csv || fail "compare.csv has no raw write.p99"
grep -q '^redundant_writes,' $d/compare.csv || fail "no redundant_writes row"
! grep -q '^dio_write\.' $d/compare.csv || fail "a kind that never ran has rows"
has $d/compare.md "| metric | wait-on-writeback | unrestricted |"
has $d/compare.json '"spec" : "unrestricted"'
head -2 "$T/out" | tail -1 | grep -q 'wait-on-writeback.*unrestricted' || fail "no column header"
for r in "latency: write" hazards "stalls: time blocked, by cause" "CPU time, by cause" \
	"extra memory: peak pages" disk redundant_writes checksum_errors forks bounces; do
	has "$T/out" "$r"
done
has "$T/out" "PASS"
[ -z "$(find a -name '*tmp*')" ] || fail "temporary files left behind"

wb 0 compare "$small" --out b
cmp $d/compare.csv b/cli-small/compare.csv || fail "compare.csv differs between identical runs"
cmp $d/compare.json b/cli-small/compare.json || fail "compare.json differs between identical runs"
cmp $d/compare.md b/cli-small/compare.md || fail "compare.md differs between identical runs"

# Options inside --policies, a repeated --policies, a duplicate in canonical form.
wb 0 compare "$small" --out c --policies page-fork:pins=ignore,refork=allow,unrestricted \
	--policies bounce,page-fork:pins=ignore,refork=allow
[ "$(head -1 c/cli-small/compare.csv)" = \
  'metric,"page-fork:pins=ignore,refork=allow",unrestricted,bounce' ] ||
	fail "compare.csv columns: $(head -1 c/cli-small/compare.csv)"
[ -s "c/cli-small/page-fork_pins=ignore_refork=allow/summary.json" ] || fail "no page-fork dir"

# Seeds: one directory per seed, mean and spread.
wb 0 compare "$small" --out s --policies unrestricted --seeds 3
for n in 1 2 3; do
	has "s/cli-small/unrestricted/seed-$n/summary.json" "\"seed\" : $n,"
done
[ "$(head -1 s/cli-small/compare.csv)" = "metric,stat,unrestricted" ] || fail "seeds csv header"
for st in mean min max stddev; do grep -q "^write.p99,$st," s/cli-small/compare.csv || fail "no $st"; done
has "$T/out" "seeds 1..3"
