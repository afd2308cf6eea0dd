#!/usr/bin/env bash
# One catalogue scenario, with a short run (scale 0.1), under each of its policies:
# fails when the scenario cannot run or any of its expectations fails, or when a
# policy's lost_writes (losses counted as they happen) falls short of its
# lost_at_end (the end-of-run count), which it must include.  An op log
# (scenarios/*.oplog) has no scale: it runs whole.
#   run.sh WBSIM SCENARIO.lua|LOG.oplog
set -euo pipefail
wbsim=$1
scenario=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rc=0
scale=()
case "$scenario" in *.lua) scale=(--set scale=0.1) ;; esac
"$wbsim" compare "$scenario" "${scale[@]}" --out "$out" >"$out/log" 2>&1 || rc=$?
if [ $rc -ne 0 ]; then
	cat "$out/log"
	echo "catalogue: $(basename "$scenario") exited $rc" >&2
	exit 1
fi
grep -E 'PASS|FAIL' "$out/log" | head -50
csv=$(find "$out" -name compare.csv | head -1)
awk -F, '$1 == "lost_writes" { for (i = 2; i <= NF; i++) w[i] = $i }
	 $1 == "lost_at_end" { for (i = 2; i <= NF; i++) e[i] = $i }
	 NR == 1 { for (i = 2; i <= NF; i++) p[i] = $i; n = NF }
	 END { bad = 0
	       for (i = 2; i <= n; i++) if (w[i] + 0 < e[i] + 0) {
		       printf "catalogue: %s: lost_writes %s < lost_at_end %s\n", p[i], w[i], e[i]; bad = 1 }
	       exit bad }' "$csv" >&2
