#!/usr/bin/env bash
# One catalogue scenario, with a short run (scale 0.1), under each of its policies:
# fails when the scenario cannot run or any of its expectations fails.  An op log
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
