# wbsim sweep --emit slurm, for real: a private one-node Slurm cluster (scripts/cluster,
# everything in a temporary directory) runs the emitted job array, throttled to two
# tasks at once, each writing its point into the shared output directory; --collect
# then gives the bytes of an in-process sweep.  The cluster is stopped whatever
# happens.  SKIP (77) only when Slurm or munge is not installed or the daemons cannot
# start at all, with the reason.
. "$(dirname "$0")/lib.sh" "$@"
for p in sbatch slurmctld slurmd munged; do
	command -v $p >/dev/null ||
		{ echo "SKIP: $p is not installed (WBSIM_CLUSTER_DEPS=1 scripts/deps)"; exit 77; }
done
cluster=$T/cluster
trap 'bash "$SRC/scripts/cluster" stop "$cluster" || true; rm -rf "$T"' EXIT
if ! bash "$SRC/scripts/cluster" start "$cluster" >"$T/cluster.log" 2>&1; then
	cat "$T/cluster.log"
	echo "SKIP: the private Slurm cluster did not start (above: why)"
	exit 77
fi
export SLURM_CONF=$cluster/slurm.conf
cd "$T"
sc=$HERE/sweep.lua
plan=(--grid writers=1,2,4 --policies unrestricted,bounce --seeds 2)      # 12 points

wb 0 sweep "$sc" "${plan[@]}" --out whole
wb 0 sweep "$sc" "${plan[@]}" --out shared --emit slurm --throttle 2
has "$T/out" "sbatch --wait"
has shared/sweep.sbatch "#SBATCH --array=0-11%2"
has shared/sweep.sbatch "--point \"\$SLURM_ARRAY_TASK_ID\""
[ -d shared/slurm ] || fail "no directory for the tasks' logs"

timeout 180 sbatch --wait shared/sweep.sbatch >sbatch.out 2>&1 ||
	{ cat sbatch.out; tail -n 5 shared/slurm/*.out; tail -n 20 "$cluster"/slurmctld.log;
	  fail "the job array failed"; }
has sbatch.out "Submitted batch job"
[ "$(ls shared/slurm/*.out | wc -l)" = 12 ] || fail "not 12 task logs: $(ls shared/slurm)"
[ "$(find shared/points -name manifest.json | wc -l)" = 12 ] || fail "not 12 points after the array"
wb 0 sweep --collect shared
cmp shared/sweep.csv whole/sweep.csv || fail "sweep.csv after Slurm differs from the in-process one"
cmp shared/sweep.md whole/sweep.md || fail "sweep.md after Slurm differs from the in-process one"
echo "12 points run as a Slurm job array and collected"
