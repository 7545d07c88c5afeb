#!/usr/bin/env bash
# signals.t — init mode and the signals a command starts with and receives:
# the mask and SIG_IGN set pause was started with reach CMD (read from CMD's
# /proc/PID/status), so `nohup` and `trap '' HUP` work through pause;
# --clean-signals gives a clean slate; -r / PAUSE_REWRITE rewrite every
# catchable signal (real-time ones included) or swallow it; exit statuses.
# timeout: 180
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root

# child_of PID COMM — the child of PID once it runs COMM (after its exec)
child_of() {
	local c
	for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$2" ] && { echo "$c"; return 0; }
	done
	return 1
}
wait_child() { wait_until 10 child_of "$1" "$2" >/dev/null && CH=$(child_of "$1" "$2"); }

# --- inherited mask and SIG_IGN set, read from the command's /proc ---
# blocked: USR1 (10), TERM (15), 34 and 64; ignored: HUP (1) and PIPE (13)
BLK=8000000200004200 IGN=0000000000001001
for where in sub pid1; do
	rm -f "$T/pf"
	if [ $where = sub ]; then
		"$PWTEST" sigset $BLK $IGN -- "$PAUSE" -s -- sleep 1000 2>"$T/err" &
		NS=$! PP=$!
	else
		"$PWTEST" sigset $BLK $IGN -- "$PWTEST" nsrun "$T/pf" -- "$PAUSE" -- sleep 1000 2>"$T/err" &
		NS=$!
		wait_until 5 test -s "$T/pf"
		PP=$(cat "$T/pf")
	fi
	PIDS+=("$NS" "$PP")
	wait_child "$PP" sleep || bail "$where: sleep did not start under pause"
	is "$(status_field "$CH" SigBlk) $(status_field "$CH" SigIgn)" "$BLK $IGN" \
		"$where: CMD starts with the mask and SIG_IGN set pause was started with"
	is "$(status_field "$PP" SigBlk) $(status_field "$PP" SigIgn)" "fffffffffffbfeff 0000000000000000" \
		"$where: pause itself blocks everything and ignores nothing"
	kill -KILL "$CH"; exit_of "$NS"
	is "$RC" 137 "$where: CMD killed by SIGKILL: 137"
done
"$PWTEST" sigset $BLK $IGN -- "$PAUSE" -s --clean-signals -- sleep 1000 2>"$T/err" &
NS=$! PP=$!
PIDS+=("$PP")
wait_child "$PP" sleep
is "$(status_field "$CH" SigBlk) $(status_field "$CH" SigIgn)" "0000000000000000 0000000000000000" \
	"--clean-signals: CMD starts with nothing blocked, nothing ignored"
kill -TERM "$PP"; exit_of "$NS"
is "$RC" 143 "--clean-signals: SIGTERM forwarded, CMD dies of it: 143"

# --- trap '' HUP in the shell that starts pause ---
"$PWTEST" sigset 0 0 -- bash -c "trap '' HUP; exec \"$PAUSE\" -s -- sleep 1000" 2>"$T/err" &
NS=$! PP=$!
PIDS+=("$PP")
wait_child "$PP" sleep
is "$(status_field "$CH" SigIgn)" 0000000000000001 "trap '' HUP: CMD starts with SIGHUP ignored"
kill -HUP "$PP"
wait_until 5 sh -c "$PAUSESTAT $PP --json | jq -e '.signals_forwarded == 1' >/dev/null"
ok $? "trap '' HUP: SIGHUP to pause is forwarded"
is "$(status_field "$CH" State)" S "trap '' HUP: CMD is still there after it"
kill -TERM "$PP"; exit_of "$NS"
is "$RC" 143 "trap '' HUP: then SIGTERM: 143"

# --- nohup: a SIGHUP to pause must not end CMD ---
# hup_case LABEL PREFIX... -- PAUSE-OPTS: CMD waits for $T/go after saying
# ready; SIGHUP goes to pause in between; RC and $T/out tell what happened
hup_case() {
	local pre=()
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	rm -f "$T/ready" "$T/go" "$T/out"
	"$PWTEST" sigset 0 0 -- "${pre[@]}" "$PAUSE" -s "$@" -- \
		sh -c "echo ready >$T/ready; while [ ! -e $T/go ]; do sleep 0.02; done; echo survived" \
		</dev/null >"$T/out" 2>"$T/err" &
	NS=$! PP=$!
	PIDS+=("$PP")
	wait_until 10 test -s "$T/ready" || bail "hup_case: CMD did not start"
	kill -HUP "$PP"
	wait_until 5 sh -c "$PAUSESTAT $PP --json 2>/dev/null | jq -e '.signals_forwarded == 1' >/dev/null"
	touch "$T/go"
	exit_of "$NS"
}
hup_case nohup --
is "$RC:$(cat "$T/out")" "0:survived" "nohup pause -- CMD: SIGHUP to pause, CMD survives, exit 0"
hup_case --
is "$RC:$(cat "$T/out")" "129:" "pause -- CMD without nohup: SIGHUP ends CMD, exit 129"
hup_case nohup -- --clean-signals
is "$RC:$(cat "$T/out")" "129:" "nohup pause --clean-signals -- CMD: SIGHUP ends CMD, exit 129"

# --- -r: every catchable signal, real-time ones included, rewritten ---
# FROM: 1..64 but KILL, STOP (never reach pause) and CHLD (pause reaps on it).
# TO: signals sigrec can record (not TERM, which ends it, nor 32/33, which
# glibc keeps for itself), each FROM to another one.
from=() to=()
for s in $(seq 1 64); do
	case $s in 9|17|19) ;; *) from+=("$s") ;; esac
	case $s in 9|15|19|32|33) ;; *) to+=("$s") ;; esac
done
args=() want=()
for i in "${!from[@]}"; do
	t=${to[$(( (i + 1) % ${#to[@]} ))]}
	[ "$t" = "${from[$i]}" ] && t=${to[$(( (i + 2) % ${#to[@]} ))]}
	args+=(-r "${from[$i]}:$t") want+=("$t")
done
is "${#from[@]}" 61 "61 catchable signals to rewrite"
: >"$T/rec"
"$PAUSE" -s "${args[@]}" -- "$PWTEST" sigrec "$T/rec" 2>"$T/err" &
NS=$! PP=$!
PIDS+=("$PP")
wait_until 10 grep -qx ready "$T/rec" || bail "sigrec did not start"
bad=()
for i in "${!from[@]}"; do
	kill "-${from[$i]}" "$PP"
	if ! wait_until 5 sh -c "[ \$(wc -l <$T/rec) -ge $((i + 2)) ]"; then
		bad+=("${from[$i]}->nothing"); break
	fi
	got=$(sed -n "$((i + 2))p" "$T/rec")
	[ "$got" = "${want[$i]}" ] || bad+=("${from[$i]}->$got(want ${want[$i]})")
done
is "${bad[*]}" "" "-r: each of the 61 signals sent to pause reached CMD as its rewrite"
is "$(page .signals_forwarded)" 61 "-r: page: 61 forwarded"
is "$(page '.signals | length')" 61 "-r: page: counted as received under their own names (61 kinds)"
kill -TERM "$(child_of "$PP" pwtest)"	# TERM to pause is rewritten: end CMD directly
exit_of "$NS"
is "$RC" 0 "-r: CMD ends with exit 0, so does pause"

# --- swallowing (TO 0), PAUSE_REWRITE, and -r winning over it ---
: >"$T/rec"
PAUSE_REWRITE='USR1:0, SIG40:0 TERM:QUIT' "$PAUSE" -s -r 40:USR2 -r 64:0 -- "$PWTEST" sigrec "$T/rec" 2>"$T/err" &
NS=$! PP=$!
PIDS+=("$PP")
wait_until 10 grep -qx ready "$T/rec" || bail "sigrec did not start"
kill -USR1 "$PP"	# alone first: the summary it prints counts only itself
wait_until 5 grep -q 'signals received' "$T/err"
for s in 64 40 HUP TERM; do kill "-$s" "$PP"; done
wait_until 5 sh -c "[ \$(wc -l <$T/rec) -ge 4 ]"
sleep 0.2
is "$(sed 1d "$T/rec" | sort -n | tr '\n' ' ')" "1 3 12 " \
	"USR1:0 and -r 64:0 swallowed; -r 40:USR2 wins over PAUSE_REWRITE's 40:0; TERM:QUIT from the environment"
is "$(page .signals_forwarded)" 3 "swallowed signals are not counted as forwarded"
like "$(cat "$T/err")" '^pause: reaped 0 .*signals received 1, forwarded 0$' "a swallowed SIGUSR1 still prints the summary"
kill -TERM "$(child_of "$PP" pwtest)"; exit_of "$NS"
is "$RC" 0 "PAUSE_REWRITE: exit 0"

# --- exit statuses under rewriting ---
# (a clean start: bash gives its background jobs SIGINT ignored, and pause
# would pass that on to sleep)
"$PWTEST" sigset 0 0 -- "$PAUSE" -s -r TERM:INT -- sleep 1000 2>"$T/err" &
NS=$! PP=$!
PIDS+=("$PP")
wait_child "$PP" sleep
kill -TERM "$PP"; exit_of "$NS"
is "$RC" 130 "-r TERM:INT: SIGTERM to pause ends CMD by SIGINT: 130"
"$PWTEST" sigset 0 0 -- "$PAUSE" -s --rewrite=HUP:0 -- sleep 1000 2>"$T/err" &
NS=$! PP=$!
PIDS+=("$PP")
wait_child "$PP" sleep
kill -HUP "$PP"
wait_until 5 sh -c "$PAUSESTAT $PP --json | jq -e '.signals.SIGHUP == 1' >/dev/null"
is "$(status_field "$CH" State)" S "--rewrite=HUP:0: SIGHUP swallowed, CMD still there"
kill -QUIT "$PP"; exit_of "$NS"
is "$RC" 131 "--rewrite=HUP:0: then SIGQUIT: 131"
# pause mode has no CMD: rewrites do not apply, SIGTERM still ends it
PAUSE_REWRITE=TERM:0 "$PAUSE" -s 2>"$T/err" &
NS=$! PP=$!
PIDS+=("$PP")
wait_until 5 has_page "$PP"
kill -TERM "$PP"; exit_of "$NS"
is "$RC:$(cat "$T/err")" "0:Shutting down, got signal: Terminated" "pause mode ignores PAUSE_REWRITE: SIGTERM exits 0"
done_testing
