#!/usr/bin/env bash
# Throughput of `wbsim sweep` against the same runs made one after another (issue 23:
# on 2 cores, 16 equal-length runs as one sweep should take <= 0.55x the time of 16
# `wbsim run` calls).  A benchmark figure, printed; never a test.  Run it on an
# otherwise idle machine, e.g. next to scripts/bench:
#
#   bash tests/bench/sweep_vs_runs.sh BUILD_DIR/wbsim [SCENARIO.lua] [SCALE] [POLICY]
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

now() { date +%s%N; }

start=$(now)
for s in $(seq 1 $seeds); do
	"$wbsim" run "$scenario" --policy "$policy" --seed "$s" --set scale="$scale" \
		--out "$t/runs" >/dev/null
done
runs_ns=$(( $(now) - start ))

start=$(now)
"$wbsim" sweep "$scenario" --policies "$policy" --seeds $seeds --set scale="$scale" \
	--out "$t/sweep" >/dev/null 2>&1
sweep_ns=$(( $(now) - start ))

awk -v r="$runs_ns" -v s="$sweep_ns" -v n=$seeds -v c="$(nproc)" -v sc="$(basename "$scenario")" \
    -v scale="$scale" 'BEGIN {
	printf "sweep vs runs: %s scale %s, %d seeds, %d cores\n", sc, scale, n, c
	printf "  %d x wbsim run, one after another: %.2f s\n", n, r / 1e9
	printf "  wbsim sweep --seeds %d:             %.2f s\n", n, s / 1e9
	printf "  ratio sweep / runs:                %.3f (target <= 0.55 on 2 cores)\n", s / r
}'
