# wbsim sweep --emit parallel: GNU parallel runs the emitted job list (two at a time,
# as on this machine's two cores), --collect merges, and the outputs are the bytes of
# an in-process sweep.  SKIP (77) when GNU parallel is not installed
# (WBSIM_CLUSTER_DEPS=1 scripts/deps installs it; scripts/test does).
. "$(dirname "$0")/lib.sh" "$@"
command -v parallel >/dev/null || { echo "SKIP: GNU parallel is not installed"; exit 77; }
cd "$T"
sc=$HERE/sweep.lua
plan=(--grid writers=1,3 --grid depth=1..16*4 --policies wait-on-writeback,page-fork --seeds 2)

wb 0 sweep "$sc" "${plan[@]}" --out whole
wb 0 sweep "$sc" "${plan[@]}" --out par --emit parallel
[ "$(wc -l <par/jobs.txt)" = 24 ] || fail "jobs.txt has $(wc -l <par/jobs.txt) lines, not 24"
has "$T/out" "parallel --jobs"
has "$T/out" "--sshloginfile"
[ ! -e par/points ] || fail "--emit ran points"
# Each line is one point of the plan in par/, by absolute paths.
[ "$(sed -n 6p par/jobs.txt)" = "'$WBSIM' sweep --out '$T/par' --point 5" ] ||
	fail "job line 6: $(sed -n 6p par/jobs.txt)"

parallel --will-cite --jobs 2 --halt now,fail=1 <par/jobs.txt >parallel.log 2>&1 ||
	{ cat parallel.log; fail "GNU parallel reported a failed job"; }
[ "$(find par/points -name manifest.json | wc -l)" = 24 ] || fail "not 24 points after parallel"
wb 0 sweep --collect par
cmp par/sweep.csv whole/sweep.csv || fail "sweep.csv after parallel differs from the in-process one"
cmp par/sweep.md whole/sweep.md || fail "sweep.md after parallel differs from the in-process one"

# Running the list again does nothing new: every task finds its point complete.
parallel --will-cite --jobs 2 <par/jobs.txt >parallel.log 2>&1 || fail "a rerun of the list failed"
[ "$(grep -c "0 points run, 1 already complete" parallel.log)" = 24 ] ||
	{ cat parallel.log; fail "a rerun of the job list ran points again"; }
