#!/usr/bin/env bash
# Throughput of `wbsim sweep` against the same runs made one after another (issue 23:
# on 2 cores, 16 equal-length runs as one sweep should take <= 0.55x the time of 16
# `wbsim run` calls).  A benchmark figure, printed; never a test.  scripts/bench runs
# it and puts the ratio in its table; alone, on an otherwise idle machine:
#
#   bash tests/bench/sweep_vs_runs.sh BUILD_DIR/wbsim [SCENARIO.lua] [SCALE] [POLICY]
#
# The load average is printed: on a machine shared with other work the wall-time ratio
# says little, and the CPU times show what the sweep itself costs.
#
# Default: scenarios/integrity-unstable.lua at scale 32 under wait-on-writeback, seeds
# 1..16.  Both sides write their results (the runs' files, the sweep's files and its
# sweep.csv/md), as a user would get them.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
wbsim=${1:?usage: sweep_vs_runs.sh WBSIM [SCENARIO.lua] [SCALE] [POLICY]}
scenario=${2:-$here/scenarios/integrity-unstable.lua}
scale=${3:-32}
policy=${4:-wait-on-writeback}
seeds=16
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export CI=1

# "wall user sys" seconds of the command, on fd 3 (its own output is discarded).
TIMEFORMAT='%R %U %S'
measure() { { time "$@" >/dev/null 2>&1; } 2>&1; }

load=$(cut -d' ' -f1 /proc/loadavg)
runs=$(measure bash -c '
	for s in $(seq 1 '$seeds'); do
		"$0" run "$1" --policy "$2" --seed "$s" --set scale="$3" --out "$4/runs" || exit 1
	done' "$wbsim" "$scenario" "$policy" "$scale" "$t")
sweep=$(measure "$wbsim" sweep "$scenario" --policies "$policy" --seeds $seeds \
	--set scale="$scale" --out "$t/sweep")
[ -s "$t/sweep/sweep.csv" ] || { echo "the sweep failed" >&2; exit 1; }

# The CPU seconds say whether a ratio far from 0.5 is the sweep's doing or the
# machine's: with other work on the cores, the wall times cannot show the overlap.
awk -v r="$runs" -v s="$sweep" -v n=$seeds -v c="$(nproc)" -v sc="$(basename "$scenario")" \
    -v scale="$scale" -v load="$load" 'BEGIN {
	split(r, R, " "); split(s, S, " ")
	printf "sweep vs runs: %s scale %s, %d seeds, %d cores, load average %s at the start\n",
		sc, scale, n, c, load
	printf "  %d x wbsim run, one after another: %6.2f s wall, %6.2f s CPU\n", n, R[1], R[2] + R[3]
	printf "  wbsim sweep --seeds %d:             %6.2f s wall, %6.2f s CPU\n", n, S[1], S[2] + S[3]
	printf "  ratio sweep / runs:                 %.3f wall (target <= 0.55 on 2 idle cores), %.3f CPU\n",
		S[1] / R[1], (S[2] + S[3]) / (R[2] + R[3])
}'
