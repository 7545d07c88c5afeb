#!/usr/bin/env bash
# orphans.t — 30,000 orphans under our pause (PID 1 of its own pid and
# mount namespaces), in waves of 2,000 (pid_max here is 32768: never more
# than a wave alive), with pausetop -n 0 attached the whole time.  After the
# storm: no zombie left, pause's page says exactly 30,000 reaps, pausetop's
# counts are exact.  Then a second storm, and SIGTERM to pause in its middle:
# pause exits 0 and its namespace is gone.
# timeout: 900
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/security/common.sh
source "$(dirname "$0")/common.sh"
need_root
PWTEST=${PWTEST:-$BUILD/tests/pwtest}
for b in "$PAUSE" "$PWTEST" "$PAUSETOP"; do [ -x "$b" ] || bail "$b missing: make all test-bins"; done

waves=${PW_ORPHAN_WAVES:-15}
wave=${PW_ORPHAN_WAVE:-2000}
total=$((waves * wave))

"$PAUSETOP" --json -n 0 -d 1 --max-zombies 1 >"$T/top.jsonl" 2>"$T/top.err" &
top=$!
PIDS+=("$top")
wait_until 60 test -s "$T/top.jsonl" || bail "pausetop did not start: $(cat "$T/top.err")"

# start_pause NAME — pause as PID 1 of new pid+mount namespaces: PP, NS, INUM
start_pause() {
	"$PWTEST" nsrun "$T/$1.pid" -- "$PAUSE" 2>"$T/$1.err" &
	NS=$!
	PIDS+=("$NS")
	wait_until 10 test -s "$T/$1.pid" || bail "pause did not start"
	PP=$(cat "$T/$1.pid")
	PIDS+=("$PP")
	INUM=$(stat -L -c %i "/proc/$PP/ns/pid")
	wait_until 10 "$PAUSESTAT" "$PP" >/dev/null || bail "pause's page did not appear"
}
# shellcheck disable=SC2317  # called through wait_until
no_children() { [ -z "$(cat "/proc/$PP/task/$PP/children" 2>/dev/null)" ]; }

start_pause storm
diag "pause: host pid $PP, pid namespace $INUM"
t0=$(date +%s)
fail=0
for _ in $(seq "$waves"); do
	"$PWTEST" orphaner "$PP" "$wave:e0" || fail=$((fail + 1))
	wait_until 120 no_children || fail=$((fail + 1))
done
diag "$total orphans in $(( $(date +%s) - t0 )) s"
is "$fail" 0 "$waves waves of $wave orphans created and reaped, one wave alive at a time"
is "$(wc -w <"/proc/$PP/task/$PP/children")" 0 "no child (zombie or not) left under pause"
is "$(ps -e -o ppid=,stat= | awk -v p="$PP" '$1 == p && $2 ~ /Z/' | wc -l)" 0 "no zombie with pause as parent"
is "$("$PAUSESTAT" "$PP" --json | jq -r '"\(.reaped_total) \(.reaped_exit_zero)"')" "$total $total" \
	"pause's page: reaped_total $total, all exit 0"

# pausetop: exits = the orphans + one middle process per wave (reaped by the
# orphaner outside); RCU makes frees arrive late: wait for the totals
snap() { tail -1 "$T/top.jsonl" | jq -r ".namespaces[] | select(.pidns == $INUM) | $1"; }
want="$((total + waves)) $total 0 $total"
part='"\(.exits_total) \(.orphans_by_reaper.init) \(.zombies) \(.pause.reaped_total)"'
# shellcheck disable=SC2317  # called through wait_until
parts_ok() { [ "$(snap "$part")" = "$want" ]; }
wait_until 300 parts_ok
is "$(snap "$part")" "$want" "pausetop: exits, orphans adopted by init, zombies 0, pause page: exact"
# reaps are counted at the task's free: exact unless a pid came back before
# its exited-table slot was freed (30,000 pids in seconds, pid_max 32768),
# and then every reap lost is reported as an exit-slot eviction
# shellcheck disable=SC2317  # called through wait_until
reaped_ok() { [ "$(snap .reaped_total)" = "$((total + waves))" ]; }
wait_until 60 reaped_ok
got=$(snap .reaped_total)
ev=$(tail -1 "$T/top.jsonl" | jq -r .dropped.exit_slot_evicted)
if [ "$ev" = 0 ]; then
	is "$got" "$((total + waves))" "pausetop: reaped exactly $((total + waves))"
else
	ok $(( total + waves - got <= ev ? 0 : 1 )) \
		"pausetop: reaped $got of $((total + waves)); the $((total + waves - got)) missing are reported ($ev exit-slot evictions: pids reused before their slot was freed)"
fi
diag "pausetop's losses and repairs: $(tail -1 "$T/top.jsonl" | jq -c '{dropped, recovered}')"
kill -0 "$top"
ok $? "pausetop -n 0 ran through the storm"
kill -TERM "$PP"
exit_of "$NS"
is "$RC" 0 "pause exits 0 on SIGTERM after the storm"

# --- SIGTERM in the middle of a storm --------------------------------------
start_pause mid
(for _ in $(seq "$waves"); do "$PWTEST" orphaner "$PP" "$wave:e0" 2>/dev/null || exit 0; done) &
storm=$!
PIDS+=("$storm")
wait_until 120 sh -c "[ \$('$PAUSESTAT' $PP --json 2>/dev/null | jq -r .reaped_total) -ge $wave ]"
ok $? "second storm under way (pause has reaped at least $wave)"
kill -TERM "$PP"
exit_of "$NS"
is "$RC" 0 "SIGTERM to pause mid-storm: exit 0"
# shellcheck disable=SC2317  # called through wait_until
gone_ns() { ! find /proc/[0-9]*/ns/pid -maxdepth 0 -lname "pid:\[$INUM\]" 2>/dev/null | grep -q .; }
wait_until 60 gone_ns
ok $? "its namespace is gone: no process left in it"
kill "$storm" 2>/dev/null
wait "$storm" 2>/dev/null
kill -TERM "$top"
wait "$top"
is "$?" 0 "pausetop exits 0"
done_testing
