# Op logs through `wbsim run|compare`: recording (what the log says, that it appears
# only for a run that succeeded), replaying (the header's seed, policies and
# expectations; --timing think and issue; --device overrides), and bad input (a
# malformed line, a race the replay's order loses, a deadlock, options that do not
# apply): exit 2, FILE:LINE, nothing written.
. "$(dirname "$0")/lib.sh" "$@"
cd "$T"
sc=$HERE/replay.lua

# ---- recording ---------------------------------------------------------------------
wb 0 run "$sc" --record r.oplog --out a
has "$T/out" "op log in r.oplog"
[ "$(head -1 r.oplog)" = "wbsim-oplog 1" ] || fail "the log's first line"
has r.oplog "scenario name=cli-replay"
has r.oplog "policy wait-on-writeback"
has r.oplog "policy page-fork"
has r.oplog "expect metric=fsync.count predicate=2 pattern=* where=$sc:35"
has r.oplog "task t1 name=setter"
has r.oplog "task t2 name=late process=p1"
# Lua runs in no simulated time: every think time of a recorded scenario is 0.
[ -z "$(grep '^t[0-9]' r.oplog | grep -v ' +0 ')" ] || fail "a recorded scenario has a think time"
# The task spawned by a task, and who waits for whom.
grep -q '^t1 @[0-9]* +0 spawn t4 name=child$' r.oplog || fail "no spawn line for the child"
grep -q '^t1 @[0-9]* +0 join t4$' r.oplog || fail "the setter's join"
grep -q '^t2 @[0-9]* +0 yield$' r.oplog || fail "sim.yield() is a yield line"
grep -q '^t2 @0 +0 sleep 5000000$' r.oplog || fail "the late task's sleep"
# Met long after the event was set and the setter had exited: a replay in another
# order must still wait there, so the log says so.
grep -q '^t2 @5000000 +0 event_wait ev2$' r.oplog || fail "a wait on a set event is not in the log"
grep -q '^t2 @5000000 +0 join t1$' r.oplog || fail "a join of a finished task is not in the log"
grep -q '^t2 @5000000 +0 pin m1 0 8192 pin1$' r.oplog || fail "the pin"
grep -q '^t2 @[0-9]* +0 pin_write pin1 0 512$' r.oplog || fail "the pin's write"
grep -q '^t2 @[0-9]* +0 msync m1 0 262144$' r.oplog || fail "msync without arguments is the whole mapping"
grep -q '^t4 @[0-9]* +0 exit$' r.oplog || fail "the child's exit"
# The waiter's event is the first one a task met; the late task sets it at its end.
grep -q '^t3 @0 +0 event ev1$' r.oplog || fail "the waiter's event"
grep -q '^t3 @0 +0 event_wait ev1$' r.oplog || fail "the waiter's wait"
grep -q '^t2 @[0-9]* +0 event_set ev1$' r.oplog || fail "the late task's event_set"
[ -z "$(ls -a | grep 'r.oplog.tmp')" ] || fail "the log's temporary file was left behind"

# A run that fails writes no log, and leaves no temporary file either.
cat >bad.lua <<'LUA'
local f = sim.file{ name = "x", size = "64KiB" }
sim.spawn("w", function() f:pwrite(0, 4096); f:pwrite(65536, 1) end)
LUA
echo old >kept.oplog
wb 2 run bad.lua --record kept.oplog --out b
has "$T/err" "bad.lua:2"
[ "$(cat kept.oplog)" = old ] || fail "a failed run touched the log"
[ -z "$(ls -a | grep 'kept.oplog.tmp')" ] || fail "a failed run left a temporary log"
[ ! -e b ] || fail "a failed run wrote results"
wb 2 run "$sc" --record nodir/r.oplog --out c
has "$T/err" "--record"
[ ! -e c ] || fail "a run whose log cannot be written ran"

# ---- replaying ------------------------------------------------------------------------
wb 0 run r.oplog --out d
s=d/cli-replay/wait-on-writeback/summary.json
has "$T/out" "PASS"
has "$s" '"seed" : 1,'
cmp <(deterministic a/cli-replay/wait-on-writeback/summary.json) <(deterministic "$s") ||
	fail "the replay's summary.json is not the recorded run's"
# compare: the log's policies, and its expectations under each.
wb 0 compare r.oplog --out e
[ -s e/cli-replay/compare.md ] || fail "compare wrote no table"
[ -s e/cli-replay/page-fork/summary.json ] || fail "compare ran no page-fork"
[ "$(grep -c '^PASS' "$T/out")" = 4 ] || fail "two expectations under two policies"

# The header's seed without --seed; --seed wins.
sed 's/^seed 1$/seed 7/' r.oplog >seed.oplog
wb 0 run seed.oplog --out f
has f/cli-replay/wait-on-writeback/summary.json '"seed" : 7,'
wb 0 run seed.oplog --seed 3 --out f
has f/cli-replay/wait-on-writeback/summary.json '"seed" : 3,'

# Timing.  One pwrite, then an exit logged 1 ms after the pwrite completed and 2 ms
# after the run began.  Think time: the exit comes 1 ms after the write returns;
# issue time: at 2 ms exactly.  sim_time is when the workload ended.
cat >timing.oplog <<'LOG'
wbsim-oplog 1
scenario name=timing
file f1 name=data size=64KiB
task t1 name=w
t1 @0 +0 pwrite f1 0 4096
t1 @2000000 +1000000 exit
LOG
wb 0 run timing.oplog --out g --timing issue
has g/timing/wait-on-writeback/summary.json '"sim_time" : 2000000,'
wb 0 run timing.oplog --out h
think=$(sed -n 's/^    "sim_time" : \([0-9]*\),$/\1/p' h/timing/wait-on-writeback/summary.json)
wmax=$(sed -n 's/^    "write.max" : \([0-9]*\),$/\1/p' h/timing/wait-on-writeback/summary.json)
[ "$think" = $((1000000 + wmax)) ] || fail "think timing: sim_time $think, not 1 ms after the write ($wmax ns)"

# --device overrides the header: a 3 ms device makes the fdatasync wait 3 ms or more.
wb 0 run r.oplog --out i --device write_latency=3ms,jitter=0
p99=$(sed -n 's/^    "fsync.max" : \([0-9]*\),$/\1/p' i/cli-replay/wait-on-writeback/summary.json)
[ "$p99" -ge 3000000 ] || fail "--device write_latency=3ms: fsync.max is $p99 ns"

# ---- bad input --------------------------------------------------------------------------
# A malformed line anywhere, even of a task that never runs it, stops the replay first.
sed '$a t2 @9 +0 pwrite f1 0' r.oplog >short.oplog
n=$(wc -l <short.oplog)
wb 2 run short.oplog --out j
has "$T/err" "short.oplog:$n:"
[ ! -e j ] || fail "a malformed log wrote results"

# A race of the log's tasks that this replay's order loses: t2 uses the file t1
# declares, but t1 declares it 1 ms later than t2 gets there.
cat >race.oplog <<'LOG'
wbsim-oplog 1
file f1 name=a size=64KiB
task t1 name=slow
task t2 name=fast
t1 @0 +1000000 file f2 name=b size=4096
t2 @0 +0 pwrite f2 0 4096
t1 @1000000 +0 exit
t2 @0 +0 exit
LOG
wb 2 run race.oplog --out k
has "$T/err" "race.oplog:6: pwrite: f2 is not declared at this point of the replay"
[ ! -e k ] || fail "a failed replay wrote results"

cat >deadlock.oplog <<'LOG'
wbsim-oplog 1
event ev1 name=never
task t1 name=waiter
t1 @0 +0 event_wait ev1
LOG
wb 2 run deadlock.oplog --out l
has "$T/err" "task 'waiter' (t1) at deadlock.oplog:4 waits for event ev1, which no task sets"

# Options that do not apply, or do not parse.
wb 2 run "$sc" --timing issue --out m
has "$T/err" "--timing applies to op logs only"
wb 2 run "$sc" --costs syscall=1us --out m
has "$T/err" "--costs applies to op logs only"
wb 2 run r.oplog --timing sometimes --out m
has "$T/err" "--timing must be think or issue"
wb 2 run r.oplog --set writes=3 --out m
has "$T/err" "--set writes: an op log has no parameters to set"
wb 2 run r.oplog --device write_latency=fast --out m
has "$T/err" "r.oplog: --device"
has "$T/err" "write_latency"
wb 2 compare r.oplog --writeback colour=blue --out m
has "$T/err" "unknown field colour="
[ ! -e m ] || fail "a refused option wrote results"
# An expectation the log carries is checked as sim.expect checks it.
sed 's/^expect metric=fsync.count/expect metric=fsync.cnt/' r.oplog >expect.oplog
wb 2 run expect.oplog --out m
has "$T/err" "expect.oplog:$(grep -n '^expect metric=fsync.cnt' expect.oplog | cut -d: -f1): expect: unknown metric"
echo "replay: ok"
