#!/usr/bin/env bash
# imposters.t — issue 8, attack 2: something that is not a sealed memfd poses
# as the page: its fd's link reads "/memfd:pause-stats (deleted)" exactly.
#  - a FIFO (from a tmpfs the container mounted), held without a writer:
#    before the fix, open() blocked forever (pausestat never returned,
#    pausetop stopped taking snapshots);
#  - a device node (a privileged container: mknod needs CAP_MKNOD): before
#    the fix, root on the host opened it;
#  - a genuine page under a write lease (F_SETLEASE): before the fix, open()
#    waited out the 45 s lease break.
# Now: an O_PATH open proves what it is before anything is opened, and the
# one real open is non-blocking.  A timeout proves "no hang"; inotify on the
# node proves "never opened".
# timeout: 300
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root
need_unpriv_userns

# pausestat_quick WHAT MESSAGE — pausestat $HP returns at once, exit 1, saying MESSAGE
pausestat_quick() {
	elapsed timeout -k 1 10 "$PAUSESTAT" "$HP" >/dev/null 2>"$T/ps.err"
	is "$RC" 1 "$1: pausestat returns (exit 1, not a 10 s timeout) in ${SECS} s"
	grep -q "$2" "$T/ps.err"
	ok $? "$1: pausestat says '$2' ($(head -1 "$T/ps.err"))"
}

# pausetop_lives WHAT — two snapshots within a generous bound, the init seen
pausetop_lives() {
	if [ ! -x "$PAUSETOP" ]; then
		skip "$1: pausetop takes its snapshots" "$PAUSETOP not built"
		return
	fi
	elapsed timeout -k 1 60 "$PAUSETOP" -b -n 2 -d 0.1 >"$T/top.out" 2>"$T/top.err"
	is "$RC" 0 "$1: pausetop -n 2 completes (exit 0 in ${SECS} s, not a 60 s timeout)"
	grep -q " $HP pause " "$T/top.out"
	ok $? "$1: ... and lists the hostile init"
}

# never_opened WHAT — the node's watcher saw no open
never_opened() {
	sleep 0.5	# let the watcher write what it saw
	is "$(wc -l <"$T/events")" 0 "$1: the node was never opened (inotify IN_OPEN)"
}

: >"$T/events"
chmod 666 "$T/events"

hostile fifo fifo "$T/events" || bail "FIFO PID 1 did not start"
like "$(readlink "/proc/$HP/fd/3")" '^/memfd:pause-stats \(deleted\)$' "FIFO: its link reads like the page"
pausestat_quick FIFO "not a memfd"
pausetop_lives FIFO
never_opened FIFO
stop_hostile

if hostile_root dev dev "$T/events"; then
	pausestat_quick "device node" "not a memfd"
	pausetop_lives "device node"
	never_opened "device node"
	stop_hostile
else
	skip "device node posing as the page" "mknod failed: $(cat "$T/dev.err")"
fi

hostile lease lease || bail "lease PID 1 did not start"
pausestat_quick "write-leased page" "leased by its owner"
ok "$(awk -v s="$SECS" 'BEGIN { print (s < 5 ? 0 : 1) }')" "write-leased page: not the 45 s lease break (${SECS} s)"
pausetop_lives "write-leased page"
stop_hostile
done_testing
