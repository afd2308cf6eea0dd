# `wbsim import`: the counts on stdout, exit 2 with IN:LINE for bad input and no
# OUT left behind (not even an older one replaced by half a log), bad usage.
. "$(dirname "$0")/lib.sh" "$@"
FIX=$SRC/tests/oplog

wb 0 import --help
has "$T/out" "strace|fio|fsx IN -o OUT"
has "$T/out" "--shared-stores"
wb 0 help
has "$T/out" "wbsim import strace|fio|fsx"

wb 0 import strace "$FIX/sqlite-wal.strace" -o "$T/sqlite.oplog" --dir /tmp/wbsim-oplog-capture
has "$T/out" "wrote $T/sqlite.oplog:"
has "$T/out" "3 tasks, 3 processes, 5 files"
has "$T/out" "ftruncate"
has "$T/out" "outside --dir"
head -1 "$T/sqlite.oplog" | grep -qx "wbsim-oplog 1" || fail "no magic line"

wb 0 import fio "$FIX/fio-v3.iolog" -o "$T/fio.oplog"
has "$T/out" "1 tasks"
wb 0 import fsx "$FIX/fsx.fsxops" -o "$T/fsx.oplog" --file-name data
has "$T/out" "14 ops"
has "$T/out" "truncate"
grep -q 'file f1 name=data size=24KiB' "$T/fsx.oplog" || fail "fsx file not named"

# Bad input: exit 2, IN:LINE, and an existing OUT is left as it was.
printf 'write 0x0 0x10 0x0\nbogus 0x0 0x1 0x0\n' >"$T/bad.fsxops"
cp "$T/fsx.oplog" "$T/keep.oplog"
wb 2 import fsx "$T/bad.fsxops" -o "$T/keep.oplog"
has "$T/err" "$T/bad.fsxops:2: unknown fsx op \"bogus\""
cmp -s "$T/fsx.oplog" "$T/keep.oplog" || fail "a failed import changed OUT"
wb 2 import fio "$T/bad.fsxops" -o "$T/none.oplog"
has "$T/err" "$T/bad.fsxops:1: not a fio iolog"
[ ! -e "$T/none.oplog" ] || fail "a failed import wrote OUT"
ls "$T" | grep -q 'tmp\.' && fail "temporary files left in $T"

# Bad usage.
wb 2 import
has "$T/err" "expected KIND IN"
wb 2 import tcpdump "$FIX/fsx.fsxops" -o "$T/x.oplog"
has "$T/err" 'unknown kind "tcpdump"'
wb 2 import fsx "$FIX/fsx.fsxops"
has "$T/err" "-o OUT is required"
wb 2 import fio "$FIX/fio-v3.iolog" -o "$T/x.oplog" --shared-stores
has "$T/err" "are for strace"
wb 2 import strace "$T/missing" -o "$T/x.oplog"
has "$T/err" "cannot open"
[ ! -e "$T/x.oplog" ] || fail "wrote OUT on bad usage"
echo "import: ok"
