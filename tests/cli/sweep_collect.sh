# wbsim sweep --collect: points run separately (--point) into two directories, as two
# hosts would, merge into the same sweep.csv and sweep.md as one in-process sweep; a
# point missing everywhere, or made from other inputs, is an error that names it, and
# nothing is written.  --point without a scenario runs the plan in DIR/sweep.json.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
sc=$HERE/sweep.lua
plan=(--grid writers=1,2,4 --grid gap=0.0001,0.0004 --seeds 2)     # 3 x 2 x 2 policies x 2 = 24

wb 0 sweep "$sc" "${plan[@]}" --out whole
# Host one runs points 0-9 and 20, host two the rest, each in its own directory.
wb 0 sweep "$sc" "${plan[@]}" --out one --point 0-9,20
has "$T/err" "11 points run, 0 already complete"
[ ! -e one/sweep.csv ] || fail "--point wrote sweep.csv"
wb 0 sweep "$sc" "${plan[@]}" --out two --point 10-19
# The short form: the plan is two/sweep.json (written by the previous command).
wb 0 sweep --out two --point 21-23
has "$T/err" "3 points run, 0 already complete"
[ "$(find one two -name manifest.json | wc -l)" = 24 ] || fail "not 24 points between one and two"

# Missing points: one alone lacks 13 of them; the error names them, nothing is written.
wb 2 sweep --collect one
has "$T/err" "13 of the 24 points have no complete results"
# Point 10: 8 points per writers value (2 gaps x 2 policies x 2 seeds), so writers=2;
# 10 - 8 = 2: gap 0.0001 (4 per gap), policy 2/2 = 1 (unrestricted), seed 1.
has "$T/err" "point 10: points/writers=2_gap=0.0001/unrestricted/seed-1"
has "$T/err" "and 3 more"
[ ! -e one/sweep.csv ] && [ ! -e one/sweep.md ] || fail "a failed collect wrote results"

# A point of two made from other inputs (here: its fingerprint altered) does not count.
m=two/points/writers=4_gap=0.0001/unrestricted/seed-2/manifest.json
cp $m saved.json
sed -i 's/"fingerprint" : "./"fingerprint" : "x/' $m
wb 2 sweep --collect one two
has "$T/err" "1 of the 24 points have no complete results"
has "$T/err" "points/writers=4_gap=0.0001/unrestricted/seed-2"
cp saved.json $m

wb 0 sweep --collect one two
has "$T/out" "24 points"
cmp one/sweep.csv whole/sweep.csv || fail "collected sweep.csv differs from the in-process one"
cmp one/sweep.md whole/sweep.md || fail "collected sweep.md differs from the in-process one"
# The merged points now live in one, manifests included, and count as complete there.
[ "$(find one -name manifest.json | wc -l)" = 24 ] || fail "points not copied into one"
wb 0 sweep "$sc" "${plan[@]}" --out one
has "$T/err" "0 points run, 24 already complete"

# --collect takes no scenario options; --point without a scenario needs a plan.
wb 2 sweep --collect one --grid writers=1
has "$T/err" "no scenario options"
wb 2 sweep --out nowhere --point 0
has "$T/err" "no sweep plan here"
[ ! -e nowhere ] || fail "a failed --point wrote nowhere/"
# A plan whose scenario has changed since is refused by the short form.
cp "$sc" s.lua
wb 0 sweep s.lua --grid writers=1,2 --out p --emit parallel
echo "-- changed" >>s.lua
wb 2 sweep --out p --point 0
has "$T/err" "changed since the sweep was planned"
