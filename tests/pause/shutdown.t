#!/usr/bin/env bash
# shutdown.t — pause mode: SIGTERM/SIGINT exit 0 with the Kubernetes message,
# also when SIGTERM was blocked or ignored by whoever started pause; other
# signals do not kill it; SIGUSR1 prints the counters; hardening is visible.
# timeout: 120
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root

# shutdown_case WHERE SIGNAL WANT-MESSAGE [LAUNCH-PREFIX...]
shutdown_case() {
	local where=$1 sig=$2 msg=$3
	shift 3
	if [ "$where" = pid1 ]; then
		rm -f "$T/pf"
		"$@" "$PWTEST" nsrun "$T/pf" -- "$PAUSE" 2>"$T/err" &
		NS=$!
		PIDS+=("$NS")
		wait_until 5 test -s "$T/pf" && PP=$(cat "$T/pf")
	else
		"$@" "$PAUSE" -s 2>"$T/err" &
		PP=$! NS=$!
		PIDS+=("$NS")
	fi
	wait_until 5 has_page "$PP" || { bail "pause ($where) did not start"; }
	kill "-$sig" "$PP"
	exit_of "$NS"
	is "$RC" 0 "$where, SIG$sig${*:+ (${*:2})}: exit 0"
	is "$(cat "$T/err")" "Shutting down, got signal: $msg" "$where, SIG$sig${*:+ (${*:2})}: message"
}

for where in pid1 sub; do
	shutdown_case $where TERM Terminated
	shutdown_case $where INT Interrupt
	shutdown_case $where TERM Terminated "$PWTEST" masked block 15 --
	shutdown_case $where TERM Terminated "$PWTEST" masked ignore 15 --
	shutdown_case $where INT Interrupt "$PWTEST" masked block 2 --
	shutdown_case $where INT Interrupt "$PWTEST" masked ignore 2 --
done

# other signals: counted, never fatal (as PID 1 and as a plain process,
# where the default action of most of them would kill)
for where in pid1 sub; do
	if [ $where = pid1 ]; then start_ns; else start_sub -s; fi
	for s in HUP QUIT USR2 PIPE ALRM WINCH TSTP TTIN TTOU URG VTALRM PROF IO PWR SYS \
		 ABRT SEGV BUS FPE ILL TRAP XCPU XFSZ 34 45 64; do
		kill "-$s" "$PP"
	done
	# SIGCONT last: the kernel drops a pending SIGCONT when a stop signal
	# (TSTP/TTIN/TTOU) arrives, and vice versa
	wait_until 5 sh -c "$PAUSESTAT $PP --json | jq -e '.signals | length == 26' >/dev/null"
	kill -CONT "$PP"
	wait_until 5 sh -c "$PAUSESTAT $PP --json | jq -e '.signals | length == 27' >/dev/null"
	ok $? "$where: 27 different signals received and counted"
	is "$(status_field "$PP" State)" S "$where: still sleeping after them"
	is "$(page '.signals.SIGRTMAX')" 1 "$where: SIGRTMAX counted once"

	# SIGUSR1: one summary line on stderr, from the same counters
	: >"$T/err"
	kill -USR1 "$PP"
	wait_until 5 grep -q 'signals received' "$T/err"
	is "$(cat "$T/err")" "pause: reaped 0 (exit 0: 0, exit 1-255: 0, signaled: 0, core dumped: 0), signals received 28, forwarded 0" \
		"$where: SIGUSR1 prints the one-line summary"

	# hardening and start state, from the host's view of the process
	is "$(status_field "$PP" NoNewPrivs)" 1 "$where: NoNewPrivs 1"
	is "$(status_field "$PP" Seccomp)" 2 "$where: Seccomp 2 (filter)"
	is "$(status_field "$PP" SigBlk)" fffffffffffbfeff "$where: every signal but KILL/STOP blocked (read via signalfd)"
	is "$(status_field "$PP" SigIgn)" 0000000000000000 "$where: nothing ignored"
	is "$(readlink "/proc/$PP/cwd")" / "$where: cwd is / (pins no mount)"
	is "$(page '[.flags.seccomp, .flags.no_new_privs] | map(tostring) | join(" ")')" "true true" \
		"$where: page flags seccomp and no_new_privs"
	kill -TERM "$PP"
	exit_of "$NS"
	is "$RC" 0 "$where: still exits 0 on SIGTERM after all that"
done

# the seccomp filter is really enforcing: reaping still works under it
start_ns
"$PWTEST" orphaner "$PP" 3:e0 2:s9
wait_until 10 sh -c "$PAUSESTAT $PP --json | jq -e '.reaped_total == 5' >/dev/null"
ok $? "under seccomp: 5 orphans reaped"
is "$(status_field "$PP" State)" S "under seccomp: pause alive after reaping"
kill -TERM "$PP"; exit_of "$NS"

# started with SIGCHLD ignored (the kernel would auto-reap and pause would
# count nothing): pause resets it and counts every orphan itself
rm -f "$T/pf"
"$PWTEST" nsrun "$T/pf" -- "$PWTEST" masked ignore 17 -- "$PAUSE" 2>"$T/err" &
NS=$!
PIDS+=("$NS")
wait_until 5 test -s "$T/pf" && PP=$(cat "$T/pf")
wait_until 5 has_page "$PP"
is "$(status_field "$PP" SigIgn)" 0000000000000000 "inherited SIG_IGN for SIGCHLD reset"
"$PWTEST" orphaner "$PP" 3:e0 1:e7
wait_until 10 sh -c "$PAUSESTAT $PP --json | jq -e '.reaped_total == 4' >/dev/null"
is "$(page '[.reaped_exit_zero, .reaped_exit_nonzero] | map(tostring) | join(" ")')" "3 1" \
	"SIGCHLD ignored at start: orphans still reaped and counted by pause"
kill -TERM "$PP"; exit_of "$NS"

# --no-seccomp
start_sub -s --no-seccomp
is "$(status_field "$PP" Seccomp)" 0 "--no-seccomp: Seccomp 0"
is "$(status_field "$PP" NoNewPrivs)" 1 "--no-seccomp: NoNewPrivs still 1"
is "$(page .flags.seccomp)" false "--no-seccomp: page flag off"
kill -INT "$PP"; exit_of "$NS"
is "$RC" 0 "--no-seccomp: SIGINT exit 0"

# the memfd: sealed, 4096 bytes, CLOEXEC, not executable
start_sub -s
fd=$(page_fd "$PP")
is "$(stat -L -c %s "/proc/$PP/fd/$fd")" 4096 "page memfd is 4096 bytes"
flags=$(awk '/^flags:/ { print $2 }' "/proc/$PP/fdinfo/$fd")
ok $(( (8#$flags & 8#2000000) ? 0 : 1 )) "page fd is O_CLOEXEC (flags $flags)"
kill -TERM "$PP"; exit_of "$NS"
done_testing
