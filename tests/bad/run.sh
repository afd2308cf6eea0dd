#!/usr/bin/env bash
# Run one bad scenario through `wbsim run` and check that it fails cleanly:
#
#   bash tests/bad/run.sh WBSIM CASE.lua
#
# What each case must produce is written at the top of the case itself, in comment
# lines (or, for a file that cannot hold comments such as a binary chunk, in
# CASE.expect beside it, same lines without the leading "-- "):
#
#   -- exit: 2                  the exit status: 2 (bad input), or 1 (an expectation
#                               failed; the run completes and writes its results)
#   -- args: --set n=1          more arguments for `wbsim run` (split on blanks)
#   -- stderr: case.lua:7:      a fixed string stderr must contain; repeatable
#   -- stdout: FAIL             a fixed string stdout must contain; repeatable
#   -- noline: why              the message cannot name a line of the scenario (an
#                               error in the command line, not in the file)
#
# Every case is also checked for: no crash (killed by a signal, or any sanitizer
# report), a message naming the file and a line ("case.lua:N", required among the
# stderr:/stdout: strings unless noline: says why not), and, for exit 2, an empty
# stdout and no file at all in the --out directory.  For exit 1 the results must be
# there and complete, with no temporary file left.
set -uo pipefail

WBSIM=${1:?usage: run.sh WBSIM CASE.lua}
CASE=${2:?usage: run.sh WBSIM CASE.lua}
base=$(basename "$CASE")
T=$(mktemp -d "${TMPDIR:-/tmp}/wbsim-bad-XXXXXX")
trap 'rm -rf "$T"' EXIT
export CI=1     # no progress lines


fail() {
	echo "FAIL: $base: $*" >&2
	echo "--- wbsim run $base ${args[*]}: exit $got" >&2
	echo "--- stdout" >&2; head -c 4000 "$T/out" >&2
	echo "--- stderr" >&2; head -c 4000 "$T/err" >&2
	exit 1
}

manifest=${CASE%.lua}.expect
if [ -f "$manifest" ]; then
	header=$(sed -n 's/^\([a-z]*\): */\1 /p' "$manifest")
else
	# The leading comment block only.
	header=$(sed -n '/^--/!q; s/^-- \([a-z]*\): */\1 /p' "$CASE")
fi
want=""
args=()
stderr_has=()
stdout_has=()
noline=""
while IFS= read -r line; do
	key=${line%% *}
	val=${line#* }
	case "$key" in
	exit) want=$val ;;
	args) read -r -a more <<<"$val"; args+=("${more[@]}") ;;
	stderr) stderr_has+=("$val") ;;
	stdout) stdout_has+=("$val") ;;
	noline) noline=$val ;;
	esac
done <<<"$header"
got=-
[ -n "$want" ] || fail "no '-- exit:' line in the case"
[ ${#stderr_has[@]} -gt 0 ] || [ ${#stdout_has[@]} -gt 0 ] || fail "the case names no message to look for"

got=0
(cd "$T" && exec timeout -k 10 300 "$WBSIM" run "$CASE" --out "$T/results" "${args[@]}") \
	>"$T/out" 2>"$T/err" </dev/null || got=$?

# A crash first: a signal (timeout's 124/137 included), or a sanitizer's report
# (which may exit 1 and be taken for an expectation failure otherwise).
[ "$got" -lt 124 ] || fail "killed (status $got)"
if grep -Eq 'Sanitizer|runtime error:|Segmentation fault|Aborted|core dumped' "$T/err"; then
	fail "a sanitizer report or a crash"
fi
[ "$got" = "$want" ] || fail "exit status $got, expected $want"

for s in "${stderr_has[@]}"; do
	grep -qF -- "$s" "$T/err" || fail "stderr lacks \"$s\""
done
for s in "${stdout_has[@]}"; do
	grep -qF -- "$s" "$T/out" || fail "stdout lacks \"$s\""
done
if [ -z "$noline" ]; then
	re="${base//./\\.}:[0-9]+"
	named=0
	for s in "${stderr_has[@]}" "${stdout_has[@]}"; do
		if grep -Eq -- "$re" <<<"$s"; then named=1; fi
	done
	[ $named = 1 ] || fail "the case checks for no \"$base:LINE\" (or says why not with noline:)"
fi

if [ "$want" = 2 ]; then
	[ ! -s "$T/out" ] || fail "stdout is not empty"
	if [ -e "$T/results" ]; then
		left=$(find "$T/results" -type f)
		[ -z "$left" ] || fail "files left in --out: $left"
	fi
else
	sums=$(find "$T/results" -name summary.json | wc -l)
	[ "$sums" -ge 1 ] || fail "no summary.json for a completed run"
	grep -q '"passed" : false' $(find "$T/results" -name summary.json) ||
		fail "summary.json does not say the expectations failed"
	left=$(find "$T/results" -type f ! -name summary.json ! -name latency.csv ! -name timeline.csv)
	[ -z "$left" ] || fail "unexpected files in --out: $left"
fi
exit 0
