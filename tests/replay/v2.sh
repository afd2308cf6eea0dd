#!/usr/bin/env bash
# Op-log format version 2 (OPLOG.md "Version 2"): tests/replay/v2.lua, recorded under
# each of its policies, gives a log whose first line says version 2 and which has
# every version-2 line (a buffer header line, alloc, buf_store, buf_load, direct I/O
# from and into Buffers, async=ioN, io_wait, including one by another task than the
# submitter, a long-term pin); then the round trip (roundtrip.sh): each replay is the
# same run, and recording it gives the same lines.
#   v2.sh WBSIM
set -euo pipefail
wbsim=$1
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/wbsim-v2-XXXXXX")
trap 'rm -rf "$T"' EXIT
export CI=1

fail() { echo "FAIL: v2: $*" >&2; exit 1; }

for p in unrestricted bounce; do
	if ! "$wbsim" run "$here/v2.lua" --set scale=0.1 --policy "$p" --record "$T/$p.oplog" \
		--out "$T/out" >"$T/$p.log" 2>&1; then
		cat "$T/$p.log" >&2
		fail "$p: the run failed (or an expectation did)"
	fi
	[ "$(head -1 "$T/$p.oplog")" = "wbsim-oplog 2" ] || fail "$p: the log does not say version 2"
done

has() {
	local log=$1 what=$2 re=$3
	grep -Eq "$re" "$T/$log.oplog" || fail "$log: no $what line (/$re/)"
}
N='[0-9]+'
for p in unrestricted bounce; do
	has "$p" "buffer header" "^buffer b1 process=p1 size=32KiB$"
	has "$p" "alloc" "^t3 @$N \+0 alloc b2 process=p1 size=64KiB$"
	has "$p" "buf_store" " buf_store b1 $N $N$"
	has "$p" "buf_load" " buf_load b2 16384 16384$"
	has "$p" "async dio_write from a Buffer" " dio_write f1 $N 8192 from=b1 at=$N async=io$N$"
	has "$p" "async dio_write from a mapping" " dio_write f1 0 4096 from=m1 at=0 async=io$N$"
	has "$p" "dio_read into a Buffer" " dio_read f1 0 8192 to=b2 at=4096$"
	has "$p" "async dio_read into a Buffer" " dio_read f1 65536 16384 to=b2 at=16384 async=io$N$"
	has "$p" "async dio_read" " dio_read f1 131072 4096 async=io$N$"
	has "$p" "long-term pin" "^t3 @$N \+0 pin m1 8192 8192 pin1 longterm$"
	# The submitter's I/O, waited for by the reader; every I/O waited for once.
	io=$(sed -n 's/^t1 .* dio_write f1 0 4096 from=m1 at=0 async=\(io[0-9]*\)$/\1/p' "$T/$p.oplog")
	has "$p" "io_wait by another task" "^t3 @$N \+0 io_wait $io$"
	dup=$(sed -n 's/.* io_wait \(io[0-9]*\)$/\1/p' "$T/$p.oplog" | sort | uniq -d)
	[ -z "$dup" ] || fail "$p: $dup waited for twice in the log"
done
# Refused (EFAULT) under unrestricted: nothing follows; granted under bounce.
! grep -q " pin_write pin1" "$T/unrestricted.oplog" || fail "unrestricted: a refused pin written"
has bounce "write through the long-term pin" " pin_write pin1 0 512$"
has bounce "release of the long-term pin" " pin_release pin1$"
grep -q "eio_returned >0  *(got [1-9]" "$T/unrestricted.log" || fail "unrestricted: no EIO"
echo "ok  v2: every version-2 line recorded"

exec bash "$here/roundtrip.sh" "$wbsim" "$here/v2.lua"
