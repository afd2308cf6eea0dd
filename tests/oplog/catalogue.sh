#!/usr/bin/env bash
# The catalogue's op log from a real program, scenarios/sqlite-wal.oplog: the import
# of tests/oplog/sqlite-wal-catalogue.strace (three sqlite3 clients committing into
# one database in WAL mode, traced with strace) with the header lines that make it a
# catalogue entry: what it shows (comments), its name, its policies, its device and
# its expectations.
#   tests/oplog/catalogue.sh WBSIM              import the committed trace again
#   tests/oplog/catalogue.sh WBSIM --capture    capture the trace again first (needs
#                                               strace and sqlite3: WBSIM_CAPTURE_DEPS=1
#                                               scripts/deps); a new capture differs
#   tests/oplog/catalogue.sh WBSIM --check      fail if the committed log is not what
#                                               the committed trace imports to (ctest)
set -euo pipefail
wbsim=$(realpath "$1")
mode=${2:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
trace=tests/oplog/sqlite-wal-catalogue.strace
log=scenarios/sqlite-wal.oplog
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wbsim-catalogue-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The capture: three clients started together by a shell, each with 150 transactions
# of an INSERT and an UPDATE of a random row.  synchronous=NORMAL (the usual setting
# in WAL mode: commits are not synced, checkpoints are) and a checkpoint every 32
# WAL pages, so the WAL and the database are synced while the other clients append.
# It runs in a fixed directory, which the import keeps (--dir), so that the log's
# file names do not depend on where the capture ran.
capture() {
	local work=/tmp/wbsim-sqlite-wal
	rm -rf "$work"
	mkdir -p "$work"
	local calls=open,openat,openat2,creat,close,dup,dup2,dup3,read,write,pread64,pwrite64
	calls+=,readv,writev,preadv,pwritev,preadv2,pwritev2,lseek,mmap,munmap,msync,fsync
	calls+=,fdatasync,sync_file_range,sync,syncfs,fork,vfork,clone,clone3,execve,wait4
	calls+=,exit_group,ftruncate,fallocate,unlink
	sqlite3 "$work/wal.db" 'PRAGMA journal_mode=WAL; CREATE TABLE t(k INTEGER PRIMARY KEY, c TEXT, v TEXT);' >/dev/null
	for c in a b c; do
		{
			echo ".timeout 10000"
			echo "PRAGMA synchronous=NORMAL;"
			echo "PRAGMA wal_autocheckpoint=32;"
			for i in $(seq 1 150); do
				echo "BEGIN; INSERT INTO t(c, v) VALUES ('$c', hex(randomblob(300))); UPDATE t SET v = hex(randomblob(300)) WHERE k = (abs(random()) % $i) + 1; COMMIT;"
			done
		} >"$work/$c.sql"
	done
	strace -f -tt -T -s 0 -e trace="$calls" -o "$trace" \
		sh -c "sqlite3 $work/wal.db < $work/a.sql >/dev/null & sqlite3 $work/wal.db < $work/b.sql >/dev/null &
		      sqlite3 $work/wal.db < $work/c.sql >/dev/null; wait"
	rm -rf "$work"
}

# What the import cannot say: the entry's description (the opening comment, which
# scripts/demo quotes), name, policies and expectations, and the machine: a
# checksumming device with 1 ms writes, the latency class of networked block storage,
# slow enough for a commit to meet the pages a checkpoint is writing.
header() {
	cat <<'HDR'
# sqlite-wal: a real program under every policy.
#
# Three sqlite3 clients commit 150 transactions each (an INSERT and an UPDATE of a
# random row) into one database in WAL mode, with synchronous=NORMAL and a
# checkpoint every 32 WAL pages; strace recorded their system calls and
# `wbsim import strace` turned them into this log (tests/oplog/catalogue.sh says
# exactly how).  The replay keeps the program's own pace: each call comes its think
# time after the previous one returned.  The device checksums (T10 PI) and takes
# 1 ms per write, like networked block storage.  Commits append to the WAL's last
# page while a checkpoint's fdatasync has it under writeback: stable pages make the
# client wait, unrestricted lets the page change under the checksum, page-fork
# copies it.  Stores to the -shm index go through a shared mapping, which strace
# cannot see: the log has the mapping, not the stores.
#
# Look at: stall.stable and write.max (wait-on-writeback), checksum_errors and
# lost_writes (unrestricted), forks (page-fork), bounces and cpu.copy (bounce).
scenario name=sqlite-wal description="three sqlite3 clients in WAL mode, from strace, on a 1 ms checksumming device"
policy wait-on-writeback
policy stable-if-required
policy unrestricted
policy page-fork
policy bounce
expect metric=stall.stable predicate=>0 pattern=wait-on-writeback
expect metric=checksum_errors predicate=>0 pattern=unrestricted
expect metric=lost_writes predicate=>0 pattern=unrestricted
expect metric=forks predicate=>0 pattern=page-fork
expect metric=bounces predicate=>0 pattern=bounce
HDR
	for p in wait-on-writeback stable-if-required page-fork bounce; do
		echo "expect metric=checksum_errors predicate=0 pattern=$p"
		echo "expect metric=lost_writes predicate=0 pattern=$p"
	done
}

make_log() {   # make_log OUT
	"$wbsim" import strace "$trace" -o "$tmp/imported.oplog" --dir /tmp/wbsim-sqlite-wal >"$tmp/import.out"
	{
		head -1 "$tmp/imported.oplog"
		header
		# The imported header has the default device; this one checksums and is slow.
		tail -n +2 "$tmp/imported.oplog" | sed '/^device /{
			s/ write_latency=[^ ]*/ write_latency=1ms/
			s/ flush_latency=[^ ]*/ flush_latency=1ms/
			s/ integrity=false/ integrity=true/
			s/ stable_writes=false/ stable_writes=true/
		}'
	} >"$1"
	grep -q '^device .* write_latency=1ms .*integrity=true stable_writes=true' "$1" ||
		{ echo "catalogue.sh: the device line did not take the changes" >&2; exit 1; }
}

case "$mode" in
--capture) capture; make_log "$log"; cat "$tmp/import.out" ;;
"") make_log "$log"; cat "$tmp/import.out" ;;
--check)
	make_log "$tmp/sqlite-wal.oplog"
	cmp "$tmp/sqlite-wal.oplog" "$log" ||
		{ echo "FAIL: $log is not what tests/oplog/catalogue.sh makes of $trace" >&2; exit 1; }
	echo "$log: as imported from $trace" ;;
*) echo "usage: tests/oplog/catalogue.sh WBSIM [--capture|--check]" >&2; exit 2 ;;
esac
