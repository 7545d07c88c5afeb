#!/usr/bin/env bash
# page_race.t — issue 8, attack 1: a hostile PID 1 flips a memfd named
# pause-stats, again and again, from "4096 bytes, unsealed" to "0 bytes,
# sealed SHRINK|GROW".  A reader that checks the size before the seals maps
# an empty file and dies of SIGBUS (before the fix: the old reader died once
# in about 100,000 reads; pausetop -n 0 -d 0.01 after 398 snapshots).  Now:
# seals first, then the size, and no mapping of anything else.
# timeout: 600
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/security/common.sh
source "$(dirname "$0")/common.sh"
need_root
need_unpriv_userns

reads=${PW_RACE_READS:-200000}
runs=${PW_RACE_RUNS:-2000}
secs=${PW_RACE_SECS:-20}

hostile flip flip || bail "hostile PID 1 did not start"
diag "hostile PID 1: host pid $HP, fd 4 -> $(readlink "/proc/$HP/fd/4")"

# 1. the reader in a loop: one SIGBUS would kill the driver
out=$("$HOSTILE" read "$HP" "$reads"); rc=$?
is "$rc" 0 "$reads racing reads in one process: no SIGBUS (exit $rc)"
diag "reads: $out"
like "$out" "^ok 0 notready [0-9]+ invalid [0-9]+ busy 0 noent 0 other 0$" \
	"every read is 'not ready' (unsealed) or 'invalid' (sealed at 0 bytes), never a page"

# 2. pausestat, thousands of times
sigs=0 other=0
for _ in $(seq "$runs"); do
	"$PAUSESTAT" "$HP" >/dev/null 2>"$T/ps.err"
	rc=$?
	[ "$rc" -gt 128 ] && sigs=$((sigs + 1))
	[ "$rc" -ne 1 ] && [ "$rc" -le 128 ] && other=$((other + 1))
done
is "$sigs" 0 "$runs pausestat runs: none killed by a signal"
is "$other" 0 "$runs pausestat runs: each exits 1 (no page to show)"

# 3. the collector: a long-running pausetop reads the page every snapshot
# (the hostile init's comm is "pause")
if [ -x "$PAUSETOP" ]; then
	"$PAUSETOP" -b -n 0 -d 0.01 >"$T/top.out" 2>"$T/top.err" &
	top=$!
	PIDS+=("$top")
	sleep "$secs"
	kill -0 "$top" 2>/dev/null
	ok $? "pausetop -n 0 -d 0.01 still running after ${secs} s of flips"
	kill -TERM "$top"
	wait "$top"
	is "$?" 0 "pausetop exits 0 on SIGTERM (not 135, SIGBUS)"
	n=$(grep -c '^pausetop:' "$T/top.out")
	diag "pausetop took $n snapshots in ${secs} s"
	ok $((n >= 10 ? 0 : 1)) "pausetop kept taking snapshots ($n)"
	grep -q " $HP pause " "$T/top.out"
	ok $? "... and saw the hostile init"
else
	skip "pausetop under the flip attack" "$PAUSETOP not built"
fi
stop_hostile
done_testing
