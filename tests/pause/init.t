#!/usr/bin/env bash
# init.t — init mode (pause -- CMD): exit status passthrough (0..255, 128+N),
# exec failures 127/126, signal forwarding (RT included, -g to the group),
# the child's clean start, -e remapping, -p parent-death signal, --grace.
# timeout: 300
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root

# --- exit codes 0..255, as subreaper and as PID 1 ---
for where in sub pid1; do
	bad=()
	for n in $(seq 0 255); do
		if [ $where = sub ]; then
			"$PAUSE" -s -- "$PWTEST" exit "$n" 2>/dev/null
		else
			"$PWTEST" nsrun "$T/pf" -- "$PAUSE" -- "$PWTEST" exit "$n" 2>/dev/null
		fi
		rc=$?
		[ "$rc" -eq "$n" ] || bad+=("$n->$rc")
	done
	is "${bad[*]}" "" "$where: exit codes 0..255 pass through unchanged"

	bad=()
	for s in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 24 25 26 27 29 30 31 34 50 64; do
		if [ $where = sub ]; then
			"$PAUSE" -s -- "$PWTEST" raise "$s" 2>/dev/null
		else
			"$PWTEST" nsrun "$T/pf" -- "$PAUSE" -- "$PWTEST" raise "$s" 2>/dev/null
		fi
		rc=$?
		[ "$rc" -eq $((128 + s)) ] || bad+=("$s->$rc")
	done
	is "${bad[*]}" "" "$where: death by signal N exits 128+N (26 signals incl. RT)"
done

# --- exec failures ---
out=$("$PAUSE" -s -- /nonexistent/cmd 2>&1); rc=$?
is "$rc" 127 "missing command: 127"
is "$out" "pause: cannot run /nonexistent/cmd: No such file or directory" "missing command: message"
out=$("$PAUSE" -s -- no-such-command-pw 2>&1); rc=$?
is "$rc" 127 "command not on PATH: 127"
printf 'x\n' >"$T/noexec"; chmod 644 "$T/noexec"
out=$("$PAUSE" -s -- "$T/noexec" 2>&1); rc=$?
is "$rc" 126 "not executable: 126"
is "$out" "pause: cannot run $T/noexec: Permission denied" "not executable: message"
"$PAUSE" -s -- "$T" 2>/dev/null
is "$?" 126 "a directory: 126"

# --- -e remapping ---
"$PAUSE" -s -e 143 -- "$PWTEST" raise 15; is "$?" 0 "-e 143: killed by SIGTERM (143) -> 0"
"$PAUSE" -s -e 3 -e 4 -- "$PWTEST" exit 4; is "$?" 0 "-e 3 -e 4: exit 4 -> 0"
"$PAUSE" -s -e 3 -e 4 -- "$PWTEST" exit 5; is "$?" 5 "-e 3 -e 4: exit 5 stays 5"
"$PAUSE" -s -e255 -- "$PWTEST" exit 255; is "$?" 0 "-e255 (attached value): 255 -> 0"

# --- the child's start state (signals in detail: signals.t) ---
out=$("$PWTEST" sigset 4000 2 -- "$PAUSE" -s -- "$PWTEST" sigstate)
is "$out" $'SigBlk:\t0000000000004000\nSigIgn:\t0000000000000002' \
	"child starts with the mask and SIG_IGN set pause was started with"
out=$("$PWTEST" sigset 4000 2 -- "$PAUSE" -s --clean-signals -- "$PWTEST" sigstate)
is "$out" $'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000' \
	"--clean-signals: child starts with nothing blocked or ignored"
out=$("$PAUSE" -s -- sh -c 'echo $$ $(cut -d" " -f5 /proc/$$/stat); grep NoNewPrivs /proc/$$/status')
read -r cpid cpgrp _ <<<"$out"
is "$cpgrp" "$cpid" "child leads its own process group"
like "$out" $'NoNewPrivs:\t0$' "child has no no_new_privs (setuid programs still work in it)"
out=$(cd "$T" && "$PAUSE" -s -- pwd)
is "$out" "$T" "child keeps the cwd pause was started in"

# --- signal forwarding ---
# fwd_case LABEL PAUSE-OPTS... : start sigrec (and a same-group sibling)
# under pause, send signals one at a time, each must arrive
fwd_case() {
	local label=$1 s
	shift
	want=""
	: >"$T/rec"
	rm -f "$T/pf"
	if [ "$label" = pid1 ]; then
		"$PWTEST" nsrun "$T/pf" -- "$PAUSE" "$@" -- "$PWTEST" sigrec "$T/rec" -g 2>"$T/err" &
		NS=$!
		wait_until 5 test -s "$T/pf"
		PP=$(cat "$T/pf")
	else
		"$PAUSE" -s "$@" -- "$PWTEST" sigrec "$T/rec" -g 2>"$T/err" &
		NS=$! PP=$!
	fi
	PIDS+=("$NS" "$PP")
	wait_until 10 grep -qx ready "$T/rec"	# sigrec has blocked its signals
	for s in 1 10 12 20 28 34 40 64; do
		kill "-$s" "$PP"
		wait_until 5 grep -qx "$s" "$T/rec"
		want+="$s "
	done
}
fwd_case sub
sleep 0.2
is "$(grep -E '^[0-9]+$' "$T/rec" | tr '\n' ' ')" "$want" "sub: HUP USR1 USR2 TSTP WINCH 34 40 64 forwarded to the child, in order"
is "$(grep -c '^g' "$T/rec")" 0 "sub: without -g the child's group is not signalled"
is "$(page .signals_forwarded)" 8 "sub: page counts 8 forwarded"
is "$(page '.signals.SIGRTMIN + .signals["SIGRTMIN+6"] + .signals.SIGRTMAX')" 3 "sub: RT signals counted by number"
like "$(cat "$T/err")" "^pause: reaped 0 .*signals received 2, forwarded 1$" "sub: SIGUSR1 also printed the summary"
kill -TERM "$PP"; exit_of "$NS"
is "$RC" 0 "sub: SIGTERM forwarded, child exits 0, pause exits 0"

fwd_case sub -g
wait_until 5 sh -c "[ \$(grep -c '^g' $T/rec) -ge 8 ]"
is "$(grep '^g' "$T/rec" | tr '\n' ' ')" "g1 g10 g12 g20 g28 g34 g40 g64 " "sub -g: the whole group got every signal"
kill -TERM "$PP"; exit_of "$NS"
is "$RC" 0 "sub -g: SIGTERM: exit 0"

fwd_case pid1 -g
wait_until 5 sh -c "[ \$(grep -c '^g' $T/rec) -ge 8 ]"
is "$(grep -E '^[0-9]+$' "$T/rec" | tr '\n' ' ')" "$want" "pid1 -g: child got every signal"
is "$(grep -c '^g' "$T/rec")" 8 "pid1 -g: and so did its group"
kill -TERM "$PP"; exit_of "$NS"
is "$RC" 0 "pid1 -g: SIGTERM forwarded, child exits 0, so does pause"

# --- -p: parent-death signal ---
# pdeath_case SIGNAL-ARG PAUSE-ARGS... : pause's parent (a bash) exits
pdeath_case() {
	local sig=$1
	shift
	rm -f "$T/pp"
	bash -c '"$@" 2>"'"$T"'/err" & echo $! >"'"$T"'/pp"; sleep 0.3' _ "$PAUSE" -s -p "$sig" "$@" &
	wait $!
	PP=$(cat "$T/pp")
	PIDS+=("$PP")
}
pdeath_case KILL -- sh -c "echo \$\$ >$T/kid; exec sleep 100"
wait_until 5 gone "$PP"
ok $? "-p KILL: pause dies with its parent"
kill -KILL "$(cat "$T/kid")"	# its orphaned child
pdeath_case SIGTERM
wait_until 5 gone "$PP"
ok $? "-p SIGTERM (pause mode): pause shuts down when its parent dies"
is "$(cat "$T/err")" "Shutting down, got signal: Terminated" "-p SIGTERM: the usual message"
pdeath_case 2
wait_until 5 gone "$PP"
is "$(cat "$T/err")" "Shutting down, got signal: Interrupt" "-p 2 (a number) works too"

# --- --grace ---
# default: exit at once, leave the rest alone (like tini)
"$PAUSE" -s -- "$PWTEST" leave "$T/left"
is "$?" 5 "no --grace: exit status of the child, at once"
read -r a b c <"$T/left"
PIDS+=("$a" "$b" "$c")
alive=0; for p in $a $b $c; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
is "$alive" 3 "no --grace: the 3 processes left behind are not touched"
kill -KILL "$a" "$b" "$c"

for where in sub pid1; do
	rm -f "$T/left" "$T/pf"
	if [ $where = sub ]; then
		"$PAUSE" -s --grace 1.5 -- "$PWTEST" leave "$T/left" 2>"$T/err" &
		NS=$! PP=$!
	else
		"$PWTEST" nsrun "$T/pf" -- "$PAUSE" --grace 1.5 -- "$PWTEST" leave "$T/left" 2>"$T/err" &
		NS=$!
		wait_until 5 test -s "$T/pf"
		PP=$(cat "$T/pf")
	fi
	PIDS+=("$NS" "$PP")
	wait_until 5 has_page "$PP"
	json=$("$PWTEST" holdpage "$PP" | tail -1)
	exit_of "$NS"
	is "$RC" 5 "$where --grace: exit status of the main child"
	is "$(jq -r '[.drain_runs, .drain_sent_term, .drain_exited_on_term, .drain_killed, .drain_found] | map(tostring) | join(" ")' <<<"$json")" \
		"1 3 2 1 3" "$where --grace: page: drain ran, found 3, 3 got SIGTERM, 2 exited, 1 SIGKILLed"
	is "$(jq -r .reaped_total <<<"$json")" 4 "$where --grace: page: main child + 3 left-behind reaped"
	is "$(cat "$T/err")" "pause: drain: 3 process(es) sent SIGTERM, 2 exited within 1500 ms, 1 ignored it and got SIGKILL" \
		"$where --grace: logs how many ignored SIGTERM"
	if [ $where = sub ]; then
		read -r a b c <"$T/left"
		alive=0; for p in $a $b $c; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
		is "$alive" 0 "sub --grace: nothing left behind"
	fi
done

# PID 1 whose /proc is not its namespace's (unshare without --mount-proc):
# the drain falls back to kill(-1), uncounted, and says so
out=$(unshare -fp "$PAUSE" --grace 1 -- sh -c '(trap "" TERM; sleep 100) & sleep 0.2; exit 6' 2>&1); rc=$?
is "$rc" 6 "PID 1 with a foreign /proc, --grace: exit status of the main child"
is "$out" "pause: drain: /proc is not this PID namespace's; sending SIGTERM to all, uncounted" \
	"PID 1 with a foreign /proc, --grace: falls back to kill(-1) and says so"

# --grace with nothing left: no waiting, and nothing said (unless -w)
start=$(date +%s)
"$PAUSE" -s --grace 60 -- "$PWTEST" exit 3 2>"$T/err"
is "$?" 3 "--grace 60, nothing left: exit status"
ok $(( $(date +%s) - start < 30 ? 0 : 1 )) "--grace 60, nothing left: does not wait for the grace period"
is "$(cat "$T/err")" "" "--grace 60, nothing left: no drain line on the command's terminal"
"$PAUSE" -s -w --grace 60 -- "$PWTEST" exit 3 2>"$T/err"
is "$?" 3 "-w --grace 60, nothing left: exit status"
like "$(cat "$T/err")" $'^pause: reaped pid [0-9]+: exited 3\npause: drain: 0 process\\(es\\) sent SIGTERM, 0 exited within 60000 ms, 0 ignored it and got SIGKILL$' \
	"-w --grace 60, nothing left: the drain line is printed with -w"

# gated_case WHERE OPTS...: pause OPTS -- leave 3 processes (as pwtest
# leave does), then wait for $T/go and exit 5; the page is held open
# before go, so it can be read after pause exited (json)
gated="\"$PWTEST\" leave \"$T/left\"; while [ ! -e \"$T/go\" ]; do sleep 0.02; done; exit 5"
gated_case() {
	local where=$1
	shift
	rm -f "$T/left" "$T/pf" "$T/go"
	if [ "$where" = sub ]; then
		"$PAUSE" -s "$@" -- sh -c "$gated" 2>"$T/err" &
		NS=$! PP=$!
	else
		"$PWTEST" nsrun "$T/pf" -- "$PAUSE" "$@" -- sh -c "$gated" 2>"$T/err" &
		NS=$!
		wait_until 5 test -s "$T/pf"
		PP=$(cat "$T/pf")
	fi
	PIDS+=("$NS" "$PP")
	wait_until 5 has_page "$PP" && hold_page "$PP"
	wait_until 5 test -s "$T/left"
	touch "$T/go"
	exit_of "$NS"
	hold_json
	json=$JSON
}

# --grace 0: what is left gets SIGKILL at once (no SIGTERM, no waiting)
for where in sub pid1; do
	gated_case $where --grace 0
	is "$RC" 5 "$where --grace 0: exit status of the main child"
	is "$(jq -r '[.drain_runs, .drain_sent_term, .drain_exited_on_term, .drain_killed, .drain_found] | map(tostring) | join(" ")' <<<"$json")" \
		"1 0 0 3 3" "$where --grace 0: page: drain ran, found 3, no SIGTERM, 3 SIGKILLed"
	is "$(jq -r '.reaped_total, .reaped_signaled' <<<"$json" | tr '\n' ' ')" "4 3 " \
		"$where --grace 0: page: main child + 3 killed reaped, 3 of them signaled"
	is "$(cat "$T/err")" "pause: drain: 3 process(es) left, sent SIGKILL at once (--grace 0)" \
		"$where --grace 0: says so"
done
"$PAUSE" -s --grace 0 -- "$PWTEST" exit 4 2>"$T/err"
is "$?:$(cat "$T/err")" "4:" "--grace 0, nothing left: exit status, no drain line"

# --term-left: SIGTERM to what is left, exit at once, never SIGKILL
gated_case sub --term-left
is "$RC" 5 "--term-left: exit status of the main child"
is "$(jq -r '[.drain_runs, .drain_sent_term, .drain_exited_on_term, .drain_killed, .drain_found] | map(tostring) | join(" ")' <<<"$json")" \
	"1 3 0 0 3" "--term-left: page: found 3, 3 sent SIGTERM, none waited for, none SIGKILLed"
is "$(cat "$T/err")" "pause: drain: 3 process(es) sent SIGTERM, not waited for (--term-left)" \
	"--term-left: says so"
read -r a b c <"$T/left"
PIDS+=("$a" "$b" "$c")
wait_until 10 gone "$a"; ok $? "--term-left: the default-TERM process died of it"
wait_until 10 gone "$b"; ok $? "--term-left: the slow TERM handler ran to its end"
sleep 0.5
kill -0 "$c" 2>/dev/null && ! gone "$c"
ok $? "--term-left: the process that ignores TERM is still alive (no SIGKILL)"
kill -KILL "$c"
"$PAUSE" -s --term-left -- "$PWTEST" exit 6 2>"$T/err"
is "$?:$(cat "$T/err")" "6:" "--term-left, nothing left: exit status, no drain line"
# both: --grace is the stronger form and wins
rm -f "$T/left"
"$PAUSE" -s --term-left --grace 0.5 -- "$PWTEST" leave "$T/left" 2>"$T/err"
is "$?" 5 "--term-left --grace 0.5: exit status"
like "$(cat "$T/err")" "^pause: drain: 3 process\\(es\\) sent SIGTERM, [12] exited within 500 ms, [12] ignored it and got SIGKILL$" \
	"--term-left --grace 0.5: --grace wins (SIGKILL after the grace)"
done_testing
