# tests/lib.sh — TAP helpers for shell tests.  Source it; every check prints
# one "ok N - what" or "not ok N - what" line that tests/run counts.
# Binaries under test come from the environment tests/run sets up:
#   $PAUSE $PAUSETOP $TELEMETRY_IT $PODSANDBOX $BUILD $ROOT
# shellcheck shell=bash

: "${ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# shellcheck source=scripts/on-exit.sh
. "$ROOT/scripts/on-exit.sh"
: "${BUILD:=$ROOT/build}"
: "${PAUSE:=$BUILD/pause}"
: "${PAUSETOP:=$BUILD/pausetop}"
: "${TELEMETRY_IT:=$BUILD/tests/telemetry_it}"
: "${PODSANDBOX:=$ROOT/sandbox/podsandbox}"
export ROOT BUILD PAUSE PAUSETOP TELEMETRY_IT PODSANDBOX

T_N=0
T_FAILED=0

# ok COND-EXIT-STATUS DESCRIPTION   — usage: some_check; ok $? "desc"
ok() {
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAILED=$((T_FAILED + 1))
	fi
}

# is GOT WANT DESCRIPTION — exact string comparison, shows both on failure
is() {
	T_N=$((T_N + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $T_N - $3"
	else
		echo "not ok $T_N - $3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
		T_FAILED=$((T_FAILED + 1))
	fi
}

# like GOT REGEX DESCRIPTION — extended regex match
like() {
	T_N=$((T_N + 1))
	if [[ "$1" =~ $2 ]]; then
		echo "ok $T_N - $3"
	else
		echo "not ok $T_N - $3"
		echo "#   got:  '$1'"
		echo "#   want match: '$2'"
		T_FAILED=$((T_FAILED + 1))
	fi
}

# skip DESCRIPTION REASON — counted as skipped, never as passed
skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

diag() { echo "# $*"; }

# bail REASON — the rest of the file cannot run: one failure, exit
bail() {
	T_N=$((T_N + 1))
	echo "not ok $T_N - $1"
	exit 1
}

# done_testing — last line of every test file
done_testing() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

# wait_until TIMEOUT_SECONDS COMMAND... — poll every 20 ms until COMMAND succeeds
wait_until() {
	local deadline=$(( $(date +%s%N) + $1 * 1000000000 ))
	shift
	while ! "$@" 2>/dev/null; do
		[ "$(date +%s%N)" -ge "$deadline" ] && return 1
		sleep 0.02
	done
}

# need_root — most tests need real namespaces
need_root() {
	[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
}
