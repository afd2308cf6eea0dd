#!/usr/bin/env bash
# Capture the logs in tests/oplog/ again, on this machine (README.md beside this
# script says what each is and which versions made the committed ones).
#   tests/oplog/capture.sh [OUTDIR]      default: tests/oplog
# Needs strace, sqlite3 and fio: WBSIM_CAPTURE_DEPS=1 scripts/deps installs them.
# The programs run in /tmp/wbsim-oplog-capture, a fixed path, because the traces
# name their files by absolute path and the tests pass that directory as --dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
work=/tmp/wbsim-oplog-capture
rm -rf "$work"
mkdir -p "$work"
# fio's write_iolog appends: start from nothing.
rm -f "$out/sqlite-wal.strace" "$out/fio-threads.strace" "$out/fio-v3.iolog" "$out/fio-v2.iolog"
cd "$work"

# The system calls the strace importer knows, plus three it counts and skips
# (ftruncate, fallocate, unlink), so that a trace shows both.
calls=open,openat,openat2,creat,close,dup,dup2,dup3,read,write,pread64,pwrite64
calls+=,readv,writev,preadv,pwritev,preadv2,pwritev2,lseek,mmap,munmap,msync,fsync
calls+=,fdatasync,sync_file_range,sync,syncfs,fork,vfork,clone,clone3,execve,wait4
calls+=,exit_group,ftruncate,fallocate,unlink

# 1. sqlite3 in WAL mode: two clients committing small transactions into one
#    database at once (a shell forks both), so the trace has fork/vfork, execve,
#    wait4, interleaved <unfinished ...>/resumed pairs and the -shm mapping.
sqlite3 "$work/wal.db" 'PRAGMA journal_mode=WAL; CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT);' >/dev/null
for c in a b; do
	{
		echo ".timeout 10000"
		for i in $(seq 1 12); do
			echo "BEGIN; INSERT INTO t(v) VALUES ('$c$i' || hex(randomblob(200))); COMMIT;"
		done
		echo "UPDATE t SET v = upper(v) WHERE k % 3 = 0;"
	} >"$work/$c.sql"
done
strace -f -tt -T -s 0 -e trace="$calls" -o "$out/sqlite-wal.strace" \
	sh -c "sqlite3 $work/wal.db < $work/a.sql & sqlite3 $work/wal.db < $work/b.sql; wait"

# 2. fio with two jobs as threads of one process (clone3 with CLONE_VM), buffered
#    random writes with an fsync every 4, in the same directory.  Fewer calls are
#    traced: fio's start-up maps and reads hundreds of files, none of them ours.
fcalls=openat,close,pwrite64,pread64,write,fsync,fdatasync,clone,clone3,fallocate,unlink
strace -f -tt -T -s 0 -e trace="$fcalls" -o "$out/fio-threads.strace" \
	fio --name=w --thread --numjobs=2 --rw=randwrite --bs=4k --size=64k --fsync=4 \
	    --ioengine=psync --filename="$work/fio-threads.dat" --output=/dev/null

# 3. fio's own iolog (write_iolog): fio 3.33 writes version 3 only.  The version 2
#    log is the same log without its time column, the layout fio's reader takes
#    for version 2 (iolog.c, read_iolog).
fio --name=iolog --rw=randrw --bs=4k --size=128k --fsync=8 --ioengine=psync \
    --filename="$work/fio.dat" --write_iolog="$out/fio-v3.iolog" --output=/dev/null
{
	echo "fio version 2 iolog"
	tail -n +2 "$out/fio-v3.iolog" | cut -d' ' -f2-
} >"$out/fio-v2.iolog"
rm -rf "$work"
