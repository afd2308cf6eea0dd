# wbsim sweep is resumable: a sweep killed (SIGKILL) in the middle and run again skips
# the points it had finished (their manifests are not rewritten: same mtime) and runs
# the rest; the result is the same sweep.csv as a sweep never interrupted.  A changed
# scenario reruns every point, since its content is part of each point's inputs.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
cp "$HERE/sweep.lua" s.lua
# 12 points of some 40 ms each (release build), one at a time: a kill lands between
# the first and the last.
args=(sweep s.lua --grid writers=1,2,3 --policies unrestricted --seeds 4 --set stores=20000
      --threads 1 --out r)
whole=("${args[@]:0:${#args[@]}-1}" whole)     # the same, into whole/

manifests() { find r/points -name manifest.json 2>/dev/null | sort; }
# "path mtime(ns)" of every manifest
stamps() { manifests | while read -r m; do echo "$m $(stat -c %.9Y "$m")"; done; }

"$WBSIM" "${args[@]}" >/dev/null 2>&1 &
pid=$!
deadline=$(( $(date +%s) + 60 ))
while [ "$(manifests | wc -l)" -lt 3 ]; do
	kill -0 $pid 2>/dev/null || fail "the sweep finished before it could be killed"
	[ "$(date +%s)" -lt $deadline ] || { kill -9 $pid; fail "no point finished in 60 s"; }
	sleep 0.01
done
kill -9 $pid
wait $pid 2>/dev/null || true
done_before=$(manifests | wc -l)
[ "$done_before" -lt 12 ] || fail "all 12 points finished before the kill"
[ ! -e r/sweep.csv ] || fail "a killed sweep wrote sweep.csv"
stamps >before
echo "killed with $done_before of 12 points complete"
sleep 0.05      # so that a rewritten manifest would get another mtime

wb 0 "${args[@]}"
has "$T/err" "$((12 - done_before)) points run, $done_before already complete"
[ "$(manifests | wc -l)" = 12 ] || fail "not every point complete after the rerun"
stamps >after
# Every manifest that existed before is untouched.
while read -r m t; do
	grep -qxF "$m $t" after || fail "$m was rewritten (mtime $t -> $(grep -F "$m " after))"
done <before
# The same results as a sweep that was never interrupted.
wb 0 "${whole[@]}"
cmp r/sweep.csv whole/sweep.csv || fail "the resumed sweep's sweep.csv differs from a whole one"

# Nothing to do when everything is complete: nothing rerun, nothing rewritten.
wb 0 "${args[@]}"
has "$T/err" "0 points run, 12 already complete"
stamps | cmp - after || fail "a complete sweep rewrote manifests"

# A changed scenario (one more comment line) is another input: every point reruns.
echo "-- changed" >>s.lua
wb 0 "${args[@]}"
has "$T/err" "12 points run, 0 already complete"
while read -r m t; do
	! grep -qxF "$m $t" <(stamps) || fail "$m was kept though the scenario changed"
done <after
grep -q "\"scenario_sha256\" : \"$(sha256sum s.lua | cut -d' ' -f1)\"" \
	r/points/writers=1/unrestricted/seed-1/manifest.json || fail "the manifest has the old hash"

# A manifest whose fingerprint does not match (inputs from elsewhere) reruns its point
# only.
m=r/points/writers=2/unrestricted/seed-3/manifest.json
sed -i 's/"fingerprint" : "./"fingerprint" : "x/' $m
wb 0 "${args[@]}"
has "$T/err" "1 point run, 11 already complete"
# A point whose results lack the manifest (killed between the two) reruns too.
rm r/points/writers=3/unrestricted/seed-4/manifest.json
wb 0 "${args[@]}"
has "$T/err" "1 point run, 11 already complete"
