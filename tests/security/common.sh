# tests/security/common.sh — shared setup of the tests/security .t files
# (source after tests/lib.sh).  Attacks run as a hostile PID 1: uid 65534 in
# its own user, pid, mount and UTS namespaces, which is what any container
# gets.  Everything started here is killed on exit.
# shellcheck shell=bash

case "$PAUSE" in
*/san/*) : "${PAUSESTAT:=$BUILD/san/pausestat}" "${HOSTILE_BIN:=$BUILD/san/tests/hostile}" ;;
*) : "${PAUSESTAT:=$BUILD/pausestat}" "${HOSTILE_BIN:=$BUILD/tests/hostile}" ;;
esac
export PAUSESTAT

T=$(mktemp -d /tmp/pw-sec-test.XXXXXX)
chmod 755 "$T"
PIDS=()
cleanup() {
	local p
	# TERM first: a hostile FIFO then frees whoever is blocked opening it
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
on_exit 'cleanup'

for b in "$HOSTILE_BIN" "$PAUSESTAT"; do
	[ -x "$b" ] || bail "$b missing: run make all test-bins"
done
# a copy the unprivileged user can surely run, wherever the tree is
HOSTILE=$T/hostile
cp "$HOSTILE_BIN" "$HOSTILE" && chmod 755 "$HOSTILE"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
UNSHARE=(unshare -U -r -p -f -m -u --mount-proc --kill-child)

# need_unpriv_userns — the attacks need unprivileged user namespaces
need_unpriv_userns() {
	"${NOBODY[@]}" "${UNSHARE[@]}" true 2>/dev/null ||
		{ echo "1..0 # SKIP unprivileged user namespaces are disabled here"; exit 0; }
}

# hostile NAME ARGS... — start "hostile ARGS" as the hostile PID 1 (uid
# 65534, own user+pid+mount+uts namespaces).  Waits for its "ready"; sets
# HP to its host pid.  Output in $T/NAME.out, $T/NAME.err.
hostile() {
	start_hostile "$1" "${NOBODY[@]}" "${UNSHARE[@]}" "$HOSTILE" "${@:2}"
}

# hostile_root NAME ARGS... — the same as real root (a privileged container:
# own pid and mount namespaces only), for what needs CAP_MKNOD.
hostile_root() {
	start_hostile "$1" unshare -p -f -m --mount-proc --kill-child "$HOSTILE" "${@:2}"
}

# start_hostile NAME CMD... — run CMD (a launcher ending in $HOSTILE), wait
# for its PID 1's "ready", set HP to that PID 1's host pid.
start_hostile() {
	local name=$1 u
	shift
	"$@" >"$T/$name.out" 2>"$T/$name.err" &
	u=$!
	PIDS+=("$u")
	HP=
	wait_until 30 grep -q '^ready' "$T/$name.out" || { diag "$name: $(cat "$T/$name.err")"; return 1; }
	HP=$(cat "/proc/$u/task/$u/children")
	HP=${HP// /}
	PIDS+=("$HP")
}

# stop_hostile — end the last hostile PID 1 (its namespace goes with it):
# SIGTERM first (a FIFO imposter then frees any reader blocked on it)
stop_hostile() {
	[ -n "$HP" ] || return 0
	kill -TERM "$HP" 2>/dev/null
	wait_until 5 test ! -e "/proc/$HP" || kill -KILL "$HP" 2>/dev/null
	wait_until 10 test ! -e "/proc/$HP"
}

# elapsed CMD... — run CMD; its status in RC, its wall time (s) in SECS
# shellcheck disable=SC2034  # RC and SECS are read by the .t files
elapsed() {
	local t0
	t0=$(date +%s%N)
	"$@"
	RC=$?
	SECS=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}

# raw_bytes FILE [json] — describe the first byte in FILE a terminal would
# act on (C0 but newline and tab, DEL, C1 as a byte or as U+0080..U+009F),
# an invisible format character (Unicode Cf: bidi overrides, tags...) or
# invalid UTF-8; empty output: clean.  json: C0, DEL and invalid UTF-8
# only (JSON carries the other characters as data).
raw_bytes() {
	/usr/bin/python3 - "$1" "${2:-}" <<'PY'
import sys, unicodedata
data = open(sys.argv[1], 'rb').read()
json_mode = sys.argv[2] == 'json'
try:
    text = data.decode('utf-8')
except UnicodeDecodeError as e:
    print(f"invalid UTF-8 at byte {e.start}: {data[max(0, e.start - 8):e.start + 8]!r}")
    sys.exit(0)
for i, ch in enumerate(text):
    c = ord(ch)
    if ch in '\n\t':
        continue
    if c < 0x20 or c == 0x7f or not json_mode and (0x80 <= c <= 0x9f or unicodedata.category(ch) in ('Cf', 'Cs')):
        print(f"U+{c:04X} at char {i}: {text[max(0, i - 10):i + 10]!r}")
        break
PY
}

# exit_of PID — wait for a background job of this shell; its status in RC
# shellcheck disable=SC2034
exit_of() { wait "$1"; RC=$?; }
