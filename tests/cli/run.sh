# wbsim run: the files of one run, their layout, --set, --policy, --seed, --trace,
# and that two runs with the same inputs write byte-identical results apart from
# summary.json's "wall".
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
small=$HERE/small.lua

wb 0 run "$small" --out a
d=a/cli-small/wait-on-writeback                 # the scenario's first policy
for f in summary.json latency.csv timeline.csv; do [ -s "$d/$f" ] || fail "no $d/$f"; done
has "$T/out" "cli-small: 1 policy, seed 1"
has "$T/out" "latency: write"
has "$T/out" "PASS"
has "$T/out" "small.lua:"
has "$T/out" "results in $d/"
s=$d/summary.json
has "$s" '"scenario" : "cli-small"'
has "$s" '"description" : "two writers and an fsync each"'
has "$s" '"policy" : "wait-on-writeback"'
has "$s" '"seed" : 1,'
has "$s" '"writes" : "20"'
has "$s" '"write.count" : 40,'
has "$s" '"passed" : true'
for k in wall_seconds events events_per_second peak_rss_bytes; do has "$s" "\"$k\" : "; done
for m in redundant_writes checksum_errors stale_overwrites lost_writes fsync_violations \
	stale_reads stale_cache_pages stall.stable cpu.copy forked_pages_peak sim_time \
	write.p99 read.max; do
	has "$s" "\"$m\" : "
done
# "wall" is the last member, after everything deterministic.
[ "$(deterministic "$s" | tail -1)" = '  ],' ] || fail '"wall" is not right after "expectations"'
[ "$(tail -2 "$s" | head -1)" = "  }" ] || fail '"wall" is not the last member'
[ "$(grep -c '"wall" : {' "$s")" = 1 ] || fail 'no "wall" object'

[ "$(head -1 $d/latency.csv)" = "kind,bucket_lo_ns,bucket_hi_ns,count" ] || fail "latency.csv header"
grep -q '^write,[0-9]*,[0-9]*,[1-9][0-9]*$' $d/latency.csv || fail "no write buckets"
! grep -q ',0$' $d/latency.csv || fail "latency.csv lists an empty bucket"
[ "$(head -1 $d/timeline.csv)" = "t_ns,dirty,writeback,forked,bounce,inflight,stalled" ] ||
	fail "timeline.csv header"
[ "$(wc -l <$d/timeline.csv)" -gt 2 ] || fail "timeline.csv has no samples"
[ -z "$(find a -name '*tmp*')" ] || fail "temporary files left behind"

# Determinism: same inputs, another directory.
wb 0 run "$small" --out b
e=b/cli-small/wait-on-writeback
cmp <(deterministic $d/summary.json) <(deterministic $e/summary.json) ||
	fail "summary.json differs between two identical runs"
cmp $d/latency.csv $e/latency.csv || fail "latency.csv differs between two identical runs"
cmp $d/timeline.csv $e/timeline.csv || fail "timeline.csv differs between two identical runs"

# Policy, seed and parameters.
wb 0 run "$small" --out a --policy page-fork:pins=ignore --seed 7 --set writes=5
s=a/cli-small/page-fork_pins=ignore/summary.json
has "$s" '"policy" : "page-fork:pins=ignore"'
has "$s" '"seed" : 7,'
has "$s" '"writes" : "5"'
has "$s" '"write.count" : 10,'
# The canonical spec leaves defaults out: the same run, the same directory.
wb 0 run "$small" --out c --policy page-fork:pins=wait
[ -s c/cli-small/page-fork/summary.json ] || fail "page-fork:pins=wait is not written as page-fork"

# An unknown parameter is bad input: exit 2, nothing written.
wb 2 run "$small" --out x --set no_such_param=1
has "$T/err" "no_such_param"
[ ! -e x ] || fail "a failed run wrote results"

# --trace: ftrace layout, one line per event, no temporary left.
wb 0 run "$small" --out a --trace t.txt
[ -s t.txt ] || fail "no trace"
[ ! -e t.txt.tmp ] || fail "t.txt.tmp left behind"
grep -Eq '^ *writer-1-[0-9]+ +\[[0-9]{3}\] [0-9]+\.[0-9]{9}: [a-z_]+: ' t.txt ||
	{ head t.txt; fail "trace lines are not in the ftrace layout"; }
wb 2 run "$small" --out a --trace "$T/no-such-dir/t.txt"
has "$T/err" "--trace"

# Stdout is data, stderr silent on success (no progress in a pipe).
wb 0 run "$small" --out a
[ ! -s "$T/err" ] || { cat "$T/err"; fail "stderr is not empty on success"; }
