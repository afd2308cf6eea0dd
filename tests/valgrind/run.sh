#!/usr/bin/env bash
# Valgrind memcheck over a few short runs of a built wbsim: zero errors and zero
# definitely or indirectly lost bytes ("still reachable" is GLib's and Lua's caches
# kept until exit, not a leak).  scripts/test runs it after the two ctest runs:
#
#   bash tests/valgrind/run.sh BUILD_DIR
#
# Runs: a compare of short.lua under two policies (the thread pool, forks, bounces,
# pins, direct I/O, mappings, fio), a traced run under a third, and the error paths
# of a task error, a deadlock and the memory limit, which must free everything too;
# then an op log recorded, replayed, and a replay that fails, in format versions 1 and 2.
# No suppression is needed today; one that becomes necessary goes in wbsim.supp here,
# each entry with a comment saying whose memory it is and why it is not a leak.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: tests/valgrind/run.sh BUILD_DIR}
wbsim=$build/wbsim
here=$top/tests/valgrind
T=$(mktemp -d "${TMPDIR:-/tmp}/wbsim-valgrind-XXXXXX")
trap 'rm -rf "$T"' EXIT
export CI=1                     # no progress lines
export G_SLICE=always-malloc    # GLib's slice allocator would hide use-after-free
export G_DEBUG=gc-friendly      # and GLib clears what it frees

vg=(valgrind --tool=memcheck --error-exitcode=1 --leak-check=full
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
    --track-origins=yes --num-callers=30 -q)
if [ -s "$here/wbsim.supp" ]; then
	vg+=(--suppressions="$here/wbsim.supp")
fi

n=0
# check STATUS ARGS...: wbsim under memcheck exits with STATUS and memcheck says nothing.
check() {
	local want=$1; shift
	local got=0
	n=$((n + 1))
	"${vg[@]}" --log-file="$T/vg.$n.log" "$wbsim" "$@" >"$T/out" 2>"$T/err" || got=$?
	if [ "$got" != "$want" ] || [ -s "$T/vg.$n.log" ]; then
		echo "FAIL: valgrind wbsim $*: exit $got (want $want)" >&2
		echo "--- memcheck" >&2; cat "$T/vg.$n.log" >&2
		echo "--- stderr" >&2; head -c 3000 "$T/err" >&2
		exit 1
	fi
	echo "ok $n - wbsim $*"
}

check 0 compare "$here/short.lua" --out "$T/r"
check 0 run "$here/short.lua" --policy stable-if-required:dio=bounce --set rounds=6 \
	--trace "$T/trace.txt" --out "$T/r"
check 2 run "$top/tests/bad/task_error.lua" --out "$T/bad"
check 2 run "$top/tests/bad/deadlock_join.lua" --out "$T/bad"
check 2 run "$top/tests/bad/memory_task.lua" --mem-limit 16MiB --out "$T/bad"
check 2 compare "$top/tests/bad/pin_released_twice.lua" --out "$T/bad"
# Op logs: recording a run (the recorder's wrappers of every handle), replaying the
# log under two policies, and a replay that stops at a race its order loses.
check 0 run "$here/short.lua" --record "$T/short.oplog" --out "$T/r"
check 0 compare "$T/short.oplog" --policies wait-on-writeback,page-fork --out "$T/r"
printf '%s\n' 'wbsim-oplog 1' 'file f1 name=a size=64KiB' 'task t1 name=slow' \
	'task t2 name=fast' 't1 @0 +1000 file f2 name=b size=4096' 't2 @0 +0 pwrite f2 0 4096' \
	>"$T/race.oplog"
check 2 run "$T/race.oplog" --out "$T/bad"
# Format version 2: Buffers, Io handles by id (the recorder's and the replay's), and
# a replay whose io_wait comes before the submission in its order.
check 0 run "$top/tests/replay/v2.lua" --set scale=0.1 --policy bounce --record "$T/v2.oplog" --out "$T/r"
check 0 compare "$T/v2.oplog" --policies bounce,unrestricted --out "$T/r"
printf '%s\n' 'wbsim-oplog 2' 'file f1 name=a size=64KiB' 'process p1' 'buffer b1 process=p1 size=4KiB' \
	'task t1 name=slow process=p1' 'task t2 name=fast process=p1' \
	't1 @0 +1000 dio_write f1 0 512 from=b1 at=0 async=io1' 't2 @0 +0 io_wait io1' >"$T/race2.oplog"
check 2 run "$T/race2.oplog" --out "$T/bad"
[ ! -e "$T/bad" ] || { echo "FAIL: a failed run wrote results" >&2; exit 1; }
echo "valgrind: $n passed, 0 failed"
