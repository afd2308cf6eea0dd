# Replaying streams: memory does not grow with the log's length.  Two logs of random
# 4 KiB pwrites over the same 10^4 pages (tests/bench/bench_replay writes them), one
# of 10^4 ops and one of 5 x 10^5, must replay in the same peak RSS within 10 %.
# Anything kept per op (a line, an object, a queue entry) would add tens of MiB to
# the long one against about 7 MiB for the short one.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
gen=$BIN/tests/bench_replay
[ -x "$gen" ] || fail "no $gen (it is built with the tests)"
"$gen" gen 10000 short.oplog
"$gen" gen 500000 long.oplog
rss() {
	wb 0 run "$1" --out "$2"
	sed -n 's/^    "peak_rss_bytes" : \([0-9]*\)$/\1/p' "$2"/bench-replay/wait-on-writeback/summary.json
}
a=$(rss short.oplog s)
b=$(rss long.oplog l)
[ -n "$a" ] && [ -n "$b" ] || fail "no peak_rss_bytes in summary.json"
has l/bench-replay/wait-on-writeback/summary.json '"writes" : 500000,'
echo "peak RSS: $a bytes for 10^4 ops, $b for 5 x 10^5"
[ $((b * 10)) -le $((a * 11)) ] && [ $((b * 10)) -ge $((a * 9)) ] ||
	fail "peak RSS $b bytes for 5 x 10^5 ops against $a for 10^4: more than 10 % apart"
