# Charts from a small compare: wbsim compare --plot, then wbsim plot on the same
# directory; every chart a non-empty PNG (and an SVG).
. "$(dirname "$0")/lib.sh" "$@"
command -v gnuplot >/dev/null || fail "gnuplot is not installed (scripts/deps installs it)"
cd "$T"

wb 0 compare "$HERE/small.lua" --out r --plot
c=r/cli-small/charts
for n in latency-write hazards stalls cpu timeline; do
	[ -s "$c/$n.png" ] || fail "no $c/$n.png"
	[ -s "$c/$n.svg" ] || fail "no $c/$n.svg"
	[ "$(head -c 4 "$c/$n.png" | od -An -c | tr -d ' ')" = "211PNG" ] || fail "$n.png is not a PNG"
done
rm -rf "$c"
wb 0 plot r/cli-small
[ -s "$c/hazards.png" ] || fail "wbsim plot drew nothing"
[ -z "$(find r -name '*tmp*')" ] || fail "temporary files left behind"
