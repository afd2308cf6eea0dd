#!/usr/bin/env bash
# The round trip of one catalogue scenario (issue 21): under each policy it declares,
# record a short run (scale 0.1) with --record, replay the log under the same policy
# (--timing think, the default), and require the two summary.json files to be the
# same but for their "wall" object, and the replay's expectations to be the run's.
# Then replaying the log once more while recording it must give the same op lines:
# a replay issues exactly what it read.  A catalogue op log (scenarios/*.oplog) goes
# the same way, its first recording being that of its own replay (whose think times
# become sleep lines: a recording sees a replay's waits as sleeps).
#   roundtrip.sh WBSIM SCENARIO.lua|LOG.oplog
set -euo pipefail
wbsim=$1
scenario=$2
name=$(basename "$scenario"); name=${name%.*}
# A scenario's short run; a log has no parameters.
scale=()
case "$scenario" in *.lua) scale=(--set scale=0.1) ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/wbsim-roundtrip-XXXXXX")
trap 'rm -rf "$T"' EXIT
export CI=1

fail() { echo "FAIL: $name: $*" >&2; exit 1; }

# run OUT LOG ARGS...: wbsim run with its output in $T/OUT.log; 0 and 1 are runs that
# completed (1: an expectation failed, which the round trip must reproduce too).
run() {
	local out=$1; shift
	local rc=0
	"$wbsim" run "$@" >"$T/$out.log" 2>&1 || rc=$?
	if [ "$rc" -gt 1 ]; then
		cat "$T/$out.log" >&2
		fail "wbsim run $* exited $rc"
	fi
	echo "$rc"
}

summary() { sed '/^  "wall" : {/,$d' "$1"; }
ops() { grep -v '^#' "$1"; }

# The first run names the policies: the log's "policy" lines are the scenario's.
run rec0 "$scenario" "${scale[@]}" --record "$T/first.oplog" --out "$T/probe" >/dev/null
mapfile -t policies < <(sed -n 's/^policy //p' "$T/first.oplog")
[ "${#policies[@]}" -gt 0 ] || fail "the log names no policy"

for p in "${policies[@]}"; do
	tag=$(echo "$p" | tr ':,=' '___')
	rc_a=$(run "a-$tag" "$scenario" "${scale[@]}" --policy "$p" --record "$T/$tag.oplog" --out "$T/a")
	[ -s "$T/$tag.oplog" ] || fail "$p: no log written"
	rc_b=$(run "b-$tag" "$T/$tag.oplog" --policy "$p" --record "$T/$tag.again.oplog" --out "$T/b")
	[ "$rc_a" = "$rc_b" ] || fail "$p: the run exited $rc_a, its replay $rc_b"
	dir=$(sed -n 's/^results in \(.*\)\/$/\1/p' "$T/a-$tag.log")
	dirb=$(sed -n 's/^results in \(.*\)\/$/\1/p' "$T/b-$tag.log")
	[ -f "$dir/summary.json" ] && [ -f "$dirb/summary.json" ] || fail "$p: no summary.json"
	if ! diff <(summary "$dir/summary.json") <(summary "$dirb/summary.json") >"$T/diff"; then
		head -40 "$T/diff" >&2
		fail "$p: the replay's summary.json differs from the recorded run's"
	fi
	if ! diff <(ops "$T/$tag.oplog") <(ops "$T/$tag.again.oplog") >"$T/diff"; then
		head -20 "$T/diff" >&2
		fail "$p: recording the replay gave other op lines than the log it replayed"
	fi
	echo "ok  $name under $p: $(grep -c '^t' "$T/$tag.oplog") ops, summary.json identical"
done
