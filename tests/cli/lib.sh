# Helpers for the command-line tests.  Each test is run by CTest as
#   bash tests/cli/NAME.sh WBSIM SOURCE_DIR BINARY_DIR
# and exits 0 (pass) or 1 (fail).
set -euo pipefail

WBSIM=${1:?usage: $0 WBSIM SOURCE_DIR BINARY_DIR}
SRC=${2:?}
BIN=${3:?}
HERE=$SRC/tests/cli
T=$(mktemp -d "${TMPDIR:-/tmp}/wbsim-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
# Progress lines are for terminals; make sure they never reach the checked output.
export CI=1

fail() { echo "FAIL: $*" >&2; exit 1; }

# wb STATUS ARGS...: run wbsim, capture stdout/stderr in $T/out, $T/err, and check
# the exit status.
wb() {
	local want=$1; shift
	local got=0
	"$WBSIM" "$@" >"$T/out" 2>"$T/err" || got=$?
	if [ "$got" != "$want" ]; then
		echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"
		fail "wbsim $* exited $got, expected $want"
	fi
}

has() {   # has FILE TEXT: FILE contains the fixed string TEXT
	grep -qF -- "$2" "$1" || { echo "--- $1"; cat "$1"; fail "$1 lacks \"$2\""; }
}

lacks() {
	! grep -qF -- "$2" "$1" || { echo "--- $1"; cat "$1"; fail "$1 has \"$2\""; }
}

# summary.json without its "wall" object (the last member): what must not change
# between reruns with the same inputs.
deterministic() { sed '/^  "wall" : {/,$d' "$1"; }
