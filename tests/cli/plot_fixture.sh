# The chart script on a synthetic four-policy results directory written by the
# report writers themselves (test_report's "fixture" case): needs no runner.
. "$(dirname "$0")/lib.sh" "$@"
command -v gnuplot >/dev/null || fail "gnuplot is not installed (scripts/deps installs it)"

CK_RUN_CASE=fixture WBSIM_REPORT_FIXTURE="$T" "$BIN/tests/test_report" >/dev/null ||
	fail "test_report could not write the fixture"
WBSIM=$WBSIM bash "$SRC/scripts/plot" "$T/fake" >"$T/out" || fail "scripts/plot failed"
c=$T/fake/charts
for n in latency-write latency-store latency-fsync hazards stalls cpu timeline; do
	[ -s "$c/$n.png" ] || fail "no $n.png"
	[ -s "$c/$n.svg" ] || fail "no $n.svg"
	[ "$(head -c 4 "$c/$n.png" | od -An -c | tr -d ' ')" = "211PNG" ] || fail "$n.png is not a PNG"
	has "$T/out" "$c/$n.png"
done
[ ! -e "$c/latency-read.png" ] || fail "a chart for a kind nobody ran"
[ -z "$(find "$T" -name '*tmp*')" ] || fail "temporary files left behind"

# Through the command, and with bad input.
wb 0 plot "$T/fake"
mkdir "$T/empty"
wb 2 plot "$T/empty"
has "$T/err" "no runs here"
