# The linux: target from the command line: specs checked like any policy spec, listed
# by `wbsim policies`, mixed with the model's in `compare`, chosen from a scenario's
# own policies; expectations on what the kernel cannot measure say n/a; a machine
# without root says what is missing and exits 2; SIGTERM and SIGINT leave no loop
# device or mount behind.  SKIPs (77) where the machine lacks root, loop devices or
# tracefs (the checks that need none run first).
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
small=$HERE/small.lua
lsmall=$SRC/tests/linux/small.lua
hazard=$SRC/tests/linux/hazard.lua

# ---- anywhere ----
wb 0 policies
has "$T/out" "linux"
has "$T/out" "stable_writes=0|1"
has "$T/out" "fs=ext4|xfs|btrfs"
for bad in "linux:stable_writes=2" "linux:fs=zfs,stable_writes=1" "linux" "linux:bogus=1,stable_writes=0" \
	"linux:stable_writes=1,size=1KiB" "linux:stable_writes=0,spin=2s" "linux:stable_writes=0,spin=fast"; do
	wb 2 run "$small" --policy "$bad" --out x
	[ "$(wc -l <"$T/err")" = 1 ] || fail "$bad: not one line: $(cat "$T/err")"
	has "$T/err" "$bad"
	wb 2 compare "$small" --policies "wait-on-writeback,$bad" --out x
done
[ ! -e x ] || fail "a bad spec wrote results"

# Without root: one line naming what is missing, exit 2, nothing written.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	mkdir -p np && chmod 777 np
	got=0
	(cd np && setpriv --reuid 65534 --regid 65534 --clear-groups "$WBSIM" run "$small" \
		--policy linux:stable_writes=1 --out np) >"$T/out" 2>"$T/err" || got=$?
	[ "$got" = 2 ] || fail "without root: exit $got: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "without root: not one line: $(cat "$T/err")"
	has "$T/err" "not root"
	[ ! -e np/np ] || fail "without root, results were written"
fi

# ---- on the kernel ----
got=0
"$WBSIM" run "$small" --policy linux:stable_writes=1 --out r >"$T/out" 2>"$T/err" || got=$?
if [ "$got" = 2 ] && grep -q "cannot run on this machine" "$T/err"; then
	echo "SKIP: $(sed 's/.*cannot run on this machine: //' "$T/err")"
	exit 77
fi
[ "$got" = 0 ] || { cat "$T/out" "$T/err"; fail "run on linux: exit $got"; }
s=r/cli-small/linux_stable_writes=1/summary.json
has $s '"policy" : "linux:stable_writes=1"'
has $s '"faults" : null'
has $s '"lost_writes" : null'
has $s '"not_applied"'
has $s 'integrity'
grep -q '"stable_waits" : [0-9]' $s || fail "no stable_waits in $s"
grep -q '"disk_writes" : [1-9]' $s || fail "no disk_writes in $s"
# small.lua expects lost_writes = 0: n/a on the kernel, not a failure.
grep -q 'N/A .*linux:stable_writes=1 *lost_writes == 0 *(got n/a)' "$T/out" ||
	{ cat "$T/out"; fail "no n/a expectation"; }

# A file the kernel's target refuses: its line, the target's reason, exit 2, nothing
# written (the model's own reason, address space, is not claimed).  The model takes
# any name; the kernel's files stay below the run's directory (no '..').
cat >slash.lua <<'EOF'
sim.scenario{ name = "slash" }
local f = sim.file{ name = "dir/../data", size = "64KiB" }
sim.spawn("w", function() f:pwrite(0, 4096) end)
EOF
wb 2 run slash.lua --policy linux:stable_writes=1 --out sl
has "$T/err" "slash.lua:2: sim.file: target 'linux' refused file 'dir/../data' (linux: "
has "$T/err" "not a relative path of plain names"
lacks "$T/err" "address space"
[ ! -e sl ] || fail "a refused file wrote results"

# A file, a process or a task declared by a running task: the model takes them, the
# kernel's target made its files, helpers and workers before the run began.  Each is
# refused at its line with the reason, exit 2, nothing written, nothing left mounted
# (a run stopped after it had ended used to free its metrics twice and abort).
cat >late.lua <<'EOF'
sim.scenario{ name = "late" }
local f = sim.file{ name = "data", size = "64KiB" }
local what = sim.param("what", "file", "what the task declares")
sim.spawn("w", function()
  f:pwrite(0, 4096)
  if what == "file" then sim.file{ name = "later", size = "64KiB" }
  elseif what == "process" then sim.process{ name = "later" }
  else sim.spawn("later", function() f:pwrite(4096, 4096) end) end
end)
EOF
wb 0 run late.lua --set what=task --out late-model
for w in file:sim.file:file:6 process:sim.process:process:7 task:sim.spawn:task:8; do
	IFS=: read -r what call noun line <<<"$w"
	wb 2 run late.lua --set what="$what" --policy linux:stable_writes=1 --out late
	has "$T/err" "late.lua:$line: $call: target 'linux' refused $noun 'later' (linux: "
	has "$T/err" "by a running task"
	[ ! -e late ] || fail "a refused late $what wrote results"
done
# An op log's task that forks (a fork strace saw) runs: the replay declares the
# process and the task up front, the task held until its spawner reaches the line.
printf '%s\n' 'wbsim-oplog 1' 'scenario name=lateproc' 'file f1 name=data size=64KiB' \
	'task t1 name=w' 't1 @0 +0 pwrite f1 0 4096' 't1 @1000 +0 process p2 name=later' \
	't1 @1000 +0 spawn t2 name=x process=p2' 't2 @2000 +0 pwrite f1 4096 4096' >late.oplog
wb 0 run late.oplog --policy linux:stable_writes=1 --out late
grep -qE '^  write.count +2$' "$T/out" || { cat "$T/out"; fail "late.oplog: not 2 writes"; }
grep -qE '^  lost_at_end +0$' "$T/out" || { cat "$T/out"; fail "late.oplog: lost writes"; }
# The hold is real: a task that would set the event its spawner waits for before the
# spawn line is never let go, so the run deadlocks, as the model's does, and says why.
printf '%s\n' 'wbsim-oplog 1' 'scenario name=gate' 'file f1 name=data size=64KiB' \
	'event ev1 name=go' 'task t1 name=w' 't1 @0 +0 event_wait ev1' \
	't1 @1000 +0 spawn t2 name=x' 't2 @2000 +0 event_set ev1' >gate.oplog
wb 2 run gate.oplog --out gate-model
has "$T/err" "deadlock"
wb 2 run gate.oplog --policy linux:stable_writes=1 --out gate
has "$T/err" "task 'x' (t2) waits to be spawned at gate.oplog:7, a line its spawner has not reached"
[ ! -e gate ] || fail "a deadlocked run wrote results"

# compare: the model's policies and the kernel's side by side.
wb 0 compare "$small" --policies wait-on-writeback,unrestricted,linux:stable_writes=1,linux:stable_writes=0 --out c
[ "$(head -1 c/cli-small/compare.csv)" = "metric,wait-on-writeback,unrestricted,linux:stable_writes=1,linux:stable_writes=0" ] ||
	fail "compare.csv columns: $(head -1 c/cli-small/compare.csv)"
grep -q "^faults,[0-9]*,[0-9]*,n/a,n/a$" c/cli-small/compare.csv || fail "faults row: $(grep ^faults, c/cli-small/compare.csv)"
grep -q '^write.count,40,40,40,40$' c/cli-small/compare.csv || fail "write.count row: $(grep ^write.count, c/cli-small/compare.csv)"
grep -qE '^  faults +[0-9]+ +[0-9]+ +n/a +n/a$' "$T/out" || { cat "$T/out"; fail "faults not n/a on the kernel"; }

# spin=0 turns the harness's busy wait off (zero needs no unit); the canonical spec
# in the summary says so, in nanoseconds like any given spin.
wb 0 run "$lsmall" --policy linux:stable_writes=0,spin=0 --out s0
has s0/linux-small/linux_stable_writes=0_spin=0ns/summary.json '"policy" : "linux:stable_writes=0,spin=0ns"'

# The scenario's own policies list names the kernel; its linux* expectation on an
# n/a metric (checksum_errors) says n/a.
wb 0 run "$lsmall" --out l
has l/linux-small/linux_stable_writes=1/summary.json '"policy" : "linux:stable_writes=1"'
grep -q 'N/A .*linux:stable_writes=1 *checksum_errors == 0 *(got n/a)' "$T/out" ||
	{ cat "$T/out"; fail "linux* expectation on checksum_errors is not n/a"; }

# SIGTERM and SIGINT in the middle of a run: the process dies of the signal, and
# its loop device, mount and run directory are gone.
ours() {   # ours PID: loop devices and mounts of PID's runs
	local n=0 f
	for f in /sys/block/loop*/loop/backing_file; do
		grep -qs "/wbsim-linux/$1-" "$f" && n=$((n + 1))
	done
	n=$((n + $(grep -c "/wbsim-linux/$1-" /proc/mounts || true)))
	echo $n
}
for sig in TERM INT; do
	# (a background job of a script starts with SIGINT ignored: give it back)
	env --default-signal=INT,TERM "$WBSIM" run "$hazard" --set stores=500000 \
		--policy linux:stable_writes=1 --out k >"$T/out" 2>"$T/err" &
	pid=$!
	for i in $(seq 100); do
		[ "$(ours $pid)" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(ours $pid)" -ge 2 ] || fail "SIG$sig: the run never mounted its filesystem"
	sleep 0.5
	kill -$sig $pid
	got=0
	wait $pid || got=$?
	[ "$got" -gt 128 ] || fail "SIG$sig: exit $got, not death by the signal ($(cat "$T/err"))"
	# (the kernel releases a detached loop device from a workqueue: give it a moment)
	for i in $(seq 20); do
		[ "$(ours $pid)" = 0 ] && break
		sleep 0.1
	done
	[ "$(ours $pid)" = 0 ] || fail "SIG$sig: loop device or mount left: $(grep wbsim-linux /proc/mounts)"
	! ls -d /var/tmp/wbsim-linux/$pid-* 2>/dev/null || fail "SIG$sig: run directory left"
done
echo "ok"
