# tests/pause/common.sh — shared setup for the pause tests (source after
# tests/lib.sh).  Everything started through these helpers is killed on exit.
# shellcheck shell=bash

PWTEST=${PWTEST:-$BUILD/tests/pwtest}
# the sanitizer pass points PAUSE into build/san/: use the san reader too
case "$PAUSE" in
*/san/*) : "${PAUSESTAT:=$BUILD/san/pausestat}" ;;
*) : "${PAUSESTAT:=$BUILD/pausestat}" ;;
esac
export PWTEST PAUSESTAT

T=$(mktemp -d /tmp/pw-pause-test.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
on_exit 'cleanup'

for b in "$PAUSE" "$PWTEST" "$PAUSESTAT"; do
	[ -x "$b" ] || bail "$b missing: run make all test-bins"
done

# start_ns ARGS... — pause as PID 1 of a new PID namespace (own /proc).
# Sets PP (pause's host pid) and NS (the launcher, whose exit status is
# pause's).  stderr goes to $T/err.
start_ns() {
	rm -f "$T/pf"
	"$PWTEST" nsrun "$T/pf" -- "$PAUSE" "$@" 2>"$T/err" &
	NS=$!
	PIDS+=("$NS")
	wait_until 5 test -s "$T/pf" || { PP=; return 1; }
	PP=$(cat "$T/pf")
	PIDS+=("$PP")
	# up and sleeping on its signalfd, counters page published
	wait_until 5 grep -q '^State:.*S (sleeping)' "/proc/$PP/status"
}

# start_sub ARGS... — pause as a plain child of the test (not PID 1).
start_sub() {
	"$PAUSE" "$@" 2>"$T/err" &
	PP=$!
	NS=$PP
	PIDS+=("$PP")
	wait_until 5 has_page "$PP"
}

# page_fd PID — the number of the counters page fd; has_page PID — it exists
page_fd() { find "/proc/$1/fd" -lname '/memfd:pause-stats*' -printf '%f\n' 2>/dev/null; }
has_page() { [ -n "$(page_fd "$1")" ]; }

# exit_of PID — wait for a background job of this shell; its status in RC
# (not a $(...) subshell: only this shell can wait for its jobs)
# shellcheck disable=SC2034
exit_of() { wait "$1"; RC=$?; }

# status_field PID NAME — one field of /proc/PID/status
status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# gone PID — the process no longer exists (or is a zombie)
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# page FIELD — one field of the counters page of $PP (jq path)
page() { "$PAUSESTAT" "$PP" --json | jq -r "$1"; }

# hold_page PID — keep PID's counters page open (pwtest holdpage, in the
# background) so its final values can be read after PID exited: hold_json
# waits for that and puts them in JSON (not in a $(...) subshell: only this
# shell can wait for its jobs)
hold_page() {
	"$PWTEST" holdpage "$1" >"$T/hold" &
	HOLD=$!
	PIDS+=("$HOLD")
	wait_until 5 grep -qx ready "$T/hold"
}
hold_json() { wait "$HOLD"; JSON=$(tail -1 "$T/hold"); }
