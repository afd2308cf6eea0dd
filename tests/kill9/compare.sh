#!/usr/bin/env bash
# Results are never half-written: `kill -9` of a `wbsim compare` at any moment leaves
# each result file absent, old (the previous compare's) or new (this one's), and
# complete.  Run by ctest as
#
#   bash tests/kill9/compare.sh WBSIM JSON_VALID
#
# 1. A compare of long.lua (2 policies x 4 seeds, big timelines) with variant=0 writes
#    the "old" results; one with variant=1 elsewhere writes the "new" ones.
# 2. For each moment: the old results are put back, a variant=1 compare is started
#    over them and killed with SIGKILL, during the simulation (fractions of the time a
#    full compare takes) or while it writes (as soon as a file changes, then a few ms
#    later).
# 3. Every file left is byte-identical to its old or its new version (summary.json
#    without its "wall" object, the only part that differs between reruns), every
#    .json parses, every .csv has its header and ends with a complete line.  The only
#    other files allowed are the writers' temporaries, ".NAME.XXXXXX.tmp" (a kill
#    between writing one and renaming it leaves it behind; the next run ignores it).
# 4. A compare run to the end over what a kill left gives exactly the new results.
set -euo pipefail
WBSIM=${1:?usage: compare.sh WBSIM JSON_VALID}
JSON_VALID=${2:?usage: compare.sh WBSIM JSON_VALID}
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/wbsim-kill9-XXXXXX")
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$T"' EXIT
pid=
export CI=1

fail() { echo "FAIL: $*" >&2; exit 1; }


args=(compare "$here/long.lua" --seeds 4 --timeline-interval 20us --set duration=1.5)
run_full() {   # run_full VARIANT DIR
	"$WBSIM" "${args[@]}" --set variant="$1" --out "$2" >"$T/full.out" 2>&1 ||
		{ cat "$T/full.out"; fail "a full compare (variant $1) failed"; }
}

run_full 0 "$T/old"
start=$(date +%s%N)
run_full 1 "$T/new"
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ -n "$(find "$T/old" -name summary.json)" ] || fail "no results written"
if cmp -s "$T/old/kill9/compare.csv" "$T/new/kill9/compare.csv"; then
	fail "the two variants give the same compare.csv: the test would prove nothing"
fi
echo "a full compare takes ${full_ms} ms"

# The part of a file that two runs with the same inputs agree on.
stable() {
	case "$1" in
	*/summary.json) sed '/^  "wall" : {/,$d' "$1" ;;
	*) cat "$1" ;;
	esac
}

# check DIR: every file is old or new, and complete.
check() {
	local dir=$1 f rel n_old=0 n_new=0 n_tmp=0
	while IFS= read -r f; do
		rel=${f#"$dir"/}
		case "$(basename "$f")" in
		.*.tmp) n_tmp=$((n_tmp + 1)); continue ;;
		summary.json | compare.json | latency.csv | timeline.csv | compare.csv | compare.md) ;;
		*) fail "an unexpected file after the kill: $rel" ;;
		esac
		if [ -f "$T/old/$rel" ] && cmp -s <(stable "$f") <(stable "$T/old/$rel"); then
			n_old=$((n_old + 1))
		elif [ -f "$T/new/$rel" ] && cmp -s <(stable "$f") <(stable "$T/new/$rel"); then
			n_new=$((n_new + 1))
		else
			fail "$rel is neither the old nor the new version (size $(wc -c <"$f"))"
		fi
		case "$f" in
		*.json) "$JSON_VALID" "$f" || fail "$rel does not parse" ;;
		*.csv)
			[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] ||
				fail "$rel ends in the middle of a line"
			case "$f" in
			*/latency.csv) [ "$(head -1 "$f")" = "kind,bucket_lo_ns,bucket_hi_ns,count" ] ;;
			*/timeline.csv) [ "$(head -1 "$f")" = "t_ns,dirty,writeback,forked,bounce,inflight,stalled" ] ;;
			*/compare.csv) head -1 "$f" | grep -q '^metric,' ;;
			esac || fail "$rel has no header"
			;;
		esac
	done < <(find "$dir" -type f | sort)
	echo "  $n_old old, $n_new new, $n_tmp temporaries"
}

# kill_at LABEL WHEN: WHEN is "Nms" after the start, or "write+Nms" after the first
# change to the results directory.
kills=0
kill_at() {
	local label=$1 when=$2 out=$T/out
	rm -rf "$out"
	cp -a "$T/old" "$out"
	touch -d '-1 second' "$T/stamp"
	"$WBSIM" "${args[@]}" --set variant=1 --out "$out" >/dev/null 2>&1 &
	pid=$!
	case "$when" in
	write+*)
		# As soon as anything under $out changes, wait the extra delay.
		local deadline=$(( $(date +%s) + 120 ))
		touch "$T/stamp"
		while [ -z "$(find "$out" -newer "$T/stamp" -print -quit)" ]; do
			kill -0 $pid 2>/dev/null || break
			[ "$(date +%s)" -lt $deadline ] || fail "the compare never wrote"
			sleep 0.001
		done
		sleep "$(awk -v ms="${when#write+}" 'BEGIN { print ms / 1000 }')"
		;;
	*)
		sleep "$(awk -v ms="$when" 'BEGIN { print ms / 1000 }')"
		;;
	esac
	if kill -9 $pid 2>/dev/null; then
		kills=$((kills + 1))
		echo "killed $label"
	else
		echo "$label: the compare had already finished"
	fi
	wait $pid 2>/dev/null || true
	pid=
	check "$out"
}

for frac in 10 40 75; do
	kill_at "at ${frac}% of a full compare" $((full_ms * frac / 100))
done
for ms in 0 1 3 8 20 50; do
	kill_at "${ms} ms into writing" "write+$ms"
done
# The three kills during the simulation always land; those aimed at the writing
# (a few tens of ms) may come after a fast machine finished.
[ $kills -ge 3 ] || fail "only $kills of the compares were killed before they finished"

# What the last kill left does not get in the way of the next compare.
"$WBSIM" "${args[@]}" --set variant=1 --out "$T/out" >/dev/null 2>&1 || fail "rerun failed"
while IFS= read -r f; do
	rel=${f#"$T/new"/}
	cmp -s <(stable "$f") <(stable "$T/out/$rel") || fail "after a rerun $rel is not the new one"
done < <(find "$T/new" -type f)
echo "kill9: $kills compares killed, every result file old or new and complete"
