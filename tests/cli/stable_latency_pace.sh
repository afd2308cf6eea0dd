# scenarios/stable-latency.lua's write_interval, the knob scenarios/README.md ("Model
# vs Linux") uses to run the model at the kernel's pace: a writer that sleeps longer
# between rewrites takes longer (its 2000 sleeps alone last 80 ms at 40us; the
# waits it saves cannot make up for them) and, with the syncer's 500 us period
# unchanged, dirties fewer pages between two syncs and meets fewer of them under
# writeback: fewer disk writes and fewer stable-page waits.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
get() {   # get DIR METRIC: its value in DIR's wait-on-writeback summary
	sed -n "s/^ *\"$2\" : \([0-9.]*\),*$/\1/p" "$1/stable-latency/wait-on-writeback/summary.json"
}
for iv in 20us 40us; do
	wb 0 run "$SRC/scenarios/stable-latency.lua" --set scale=0.1 --set write_interval=$iv \
		--policy wait-on-writeback --out "$iv"
done
has 20us/stable-latency/wait-on-writeback/summary.json '"write_interval" : "20us"'
has 40us/stable-latency/wait-on-writeback/summary.json '"write_interval" : "40us"'
for m in sim_time stable_waits disk_writes; do
	[ -n "$(get 20us $m)" ] && [ -n "$(get 40us $m)" ] || fail "no $m in the summaries"
done
awk -v a="$(get 20us sim_time)" -v b="$(get 40us sim_time)" 'BEGIN { exit !(b >= 80e6 && b > a) }' ||
	fail "sim_time $(get 20us sim_time) -> $(get 40us sim_time) ns: not longer, or under 80 ms"
awk -v a="$(get 20us stable_waits)" -v b="$(get 40us stable_waits)" 'BEGIN { exit !(a > 0 && b < a) }' ||
	fail "stable_waits $(get 20us stable_waits) -> $(get 40us stable_waits): not fewer"
awk -v a="$(get 20us disk_writes)" -v b="$(get 40us disk_writes)" 'BEGIN { exit !(b < a) }' ||
	fail "disk_writes $(get 20us disk_writes) -> $(get 40us disk_writes): not fewer"
echo ok
