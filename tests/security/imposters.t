#!/usr/bin/env bash
# imposters.t — issue 8, attack 2: something that is not a sealed memfd poses
# as the page: its fd's link reads "/memfd:pause-stats (deleted)" exactly.
#  - a FIFO (from a tmpfs the container mounted), held without a writer:
#    before the fix, open() blocked forever (pausestat never returned,
#    pausetop stopped taking snapshots);
#  - a device node (a privileged container: mknod needs CAP_MKNOD): before
#    the fix, root on the host opened it;
#  - a genuine page under a write lease (F_SETLEASE): before the fix, open()
#    waited out the 45 s lease break;
#  - a genuine page whose opens need a fanotify permission that its owner
#    (a privileged container: CAP_SYS_ADMIN) never gives: open() waited
#    forever, and pausetop with it, deaf to SIGTERM (found by review).
# Now: an O_PATH open proves what it is before anything is opened, and the
# page is then taken from its owner with pidfd_getfd: nothing is opened at
# all.  A timeout proves "no hang"; fanotify on the node's inode (host side,
# with the opener's pid: other readers on a shared machine may open it too)
# proves "never opened by ours".
# timeout: 300
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/security/common.sh
source "$(dirname "$0")/common.sh"
need_root
need_unpriv_userns

OURS=()	# pids of our readers, to look for in the watcher's log

# bg_run LIMIT CMD... — run CMD (its own pid into OURS, no wrapper: the
# watcher names the opener), SIGKILL it after LIMIT s; RC, SECS
bg_run() {
	local limit=$1 t0 p w
	shift
	t0=$(date +%s%N)
	"$@" &
	p=$!
	OURS+=("$p")
	(sleep "$limit"; kill -KILL "$p" 2>/dev/null) &
	w=$!
	wait "$p"
	RC=$?
	kill "$w" 2>/dev/null
	wait "$w" 2>/dev/null
	SECS=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}

# pausestat_quick WHAT MESSAGE — pausestat $HP returns at once, exit 1, saying MESSAGE
pausestat_quick() {
	bg_run 10 "$PAUSESTAT" "$HP" >/dev/null 2>"$T/ps.err"
	is "$RC" 1 "$1: pausestat returns (exit 1, not a 10 s timeout) in ${SECS} s"
	grep -q "$2" "$T/ps.err"
	ok $? "$1: pausestat says '$2' ($(head -1 "$T/ps.err"))"
}

# pausestat_reads WHAT — pausestat $HP reads the page at once (exit 0, its pid shown)
pausestat_reads() {
	bg_run 10 "$PAUSESTAT" "$HP" >"$T/ps.out" 2>"$T/ps.err"
	is "$RC" 0 "$1: pausestat reads the page (exit 0, not a 10 s timeout) in ${SECS} s ($(head -1 "$T/ps.err"))"
	ok "$(awk -v s="$SECS" 'BEGIN { print (s < 5 ? 0 : 1) }')" "$1: ... at once (${SECS} s)"
	grep -q "^pause $HP (pid 1 in its namespace)" "$T/ps.out"
	ok $? "$1: ... and shows it ($(head -1 "$T/ps.out"))"
}

# pausetop_lives WHAT — two snapshots within a generous bound, the init seen
pausetop_lives() {
	if [ ! -x "$PAUSETOP" ]; then
		skip "$1: pausetop takes its snapshots" "$PAUSETOP not built"
		return
	fi
	bg_run 60 "$PAUSETOP" -b -n 2 -d 0.1 >"$T/top.out" 2>"$T/top.err"
	is "$RC" 0 "$1: pausetop -n 2 completes (exit 0 in ${SECS} s, not a 60 s timeout)"
	grep -q " $HP pause " "$T/top.out"
	ok $? "$1: ... and lists the hostile init"
}

# watch_node — watch the inode behind the hostile's fd 3 for opens (fanotify)
watch_node() {
	OURS=()
	"$HOSTILE" watch "/proc/$HP/fd/3" >"$T/watch.out" 2>"$T/watch.err" &
	PIDS+=("$!")
	WATCHER=$!
	wait_until 10 grep -q '^ready' "$T/watch.out" || bail "fanotify watcher: $(cat "$T/watch.err")"
}

# never_opened WHAT — no reader of ours opened the node; then a read-write
# open of our own (never blocks) shows the watcher would have seen one
never_opened() {
	local p n=0 opener probe
	sh -c "exec 9<>/proc/$HP/fd/3" &
	probe=$!
	wait "$probe"
	wait_until 5 grep -q "^open $probe\$" "$T/watch.out"
	ok $? "$1: the watcher sees opens (a read-write open of ours, pid $probe)"
	kill "$WATCHER" 2>/dev/null
	while read -r opener; do
		for p in "${OURS[@]}"; do
			[ "$opener" = "$p" ] && n=$((n + 1))
		done
	done < <(awk '/^open/ { print $2 }' "$T/watch.out")
	is "$n" 0 "$1: never opened by our readers (fanotify; $(grep -c '^open' "$T/watch.out") opens in all)"
}

hostile fifo fifo || bail "FIFO PID 1 did not start"
like "$(readlink "/proc/$HP/fd/3")" '^/memfd:pause-stats \(deleted\)$' "FIFO: its link reads like the page"
watch_node
pausestat_quick FIFO "not a memfd"
pausetop_lives FIFO
never_opened FIFO
stop_hostile

if hostile_root dev dev; then
	watch_node
	pausestat_quick "device node" "not a memfd"
	pausetop_lives "device node"
	never_opened "device node"
	stop_hostile
else
	skip "device node posing as the page" "mknod failed: $(cat "$T/dev.err")"
fi

hostile lease lease rw || bail "lease PID 1 did not start"
pausestat_reads "write-leased page"
pausetop_lives "write-leased page"
stop_hostile

hostile lease lease || bail "lease PID 1 did not start"
pausestat_quick "write-leased page held write-only" "write-only"
ok "$(awk -v s="$SECS" 'BEGIN { print (s < 5 ? 0 : 1) }')" "write-leased page held write-only: not the 45 s lease break (${SECS} s)"
pausetop_lives "write-leased page held write-only"
stop_hostile

if hostile_root openperm openperm; then
	pausestat_reads "page behind an unanswered FAN_OPEN_PERM"
	pausetop_lives "page behind an unanswered FAN_OPEN_PERM"
	stop_hostile
else
	skip "page behind an unanswered FAN_OPEN_PERM" "fanotify refused: $(cat "$T/openperm.err")"
fi
done_testing
