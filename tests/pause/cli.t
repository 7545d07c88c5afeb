#!/usr/bin/env bash
# cli.t — pause and pausestat command lines: help, version, usage errors
# (exit 2 with usage), pausestat's runtime errors (exit 1) and its output.
# timeout: 60
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root

# --- pause ---
for h in -h --help; do
	out=$("$PAUSE" $h 2>"$T/err"); rc=$?
	is "$rc" 0 "pause $h: exit 0"
	like "$out" $'^Usage: pause \\[OPTION\\]\\.\\.\\. .*--grace SECS.*--no-seccomp' "pause $h: usage on stdout"
done
for v in -v -V --version; do
	out=$("$PAUSE" $v); rc=$?
	is "$rc" 0 "pause $v: exit 0"
	like "$out" '^pause\.c v[0-9]+\.[0-9]+[^ ]*$' "pause $v: 'pause.c vVERSION' like Kubernetes pause ($out)"
done
usage_err() {
	local what=$1 want=$2
	shift 2
	out=$("$PAUSE" "$@" 2>&1 >/dev/null); rc=$?
	is "$rc" 2 "pause $*: exit 2 ($what)"
	like "$out" "^pause: ${want}.*"$'\n''Usage: pause' "pause $*: says why, then usage on stderr"
}
usage_err "unknown option" "unknown option '--bogus'" --bogus
usage_err "unknown short option" "unknown option '-x'" -x
usage_err "missing value" "option '-e' needs a value" -e
usage_err "exit code 256" "invalid -e exit code \\(0-255\\): '256'" -e 256 -- true
usage_err "exit code not a number" "invalid -e exit code" -e abc -- true
usage_err "unknown signal" "invalid -p signal: 'SIGNOPE'" -p SIGNOPE
usage_err "signal 65" "invalid -p signal: '65'" -p 65
usage_err "negative grace" "invalid --grace" --grace -1 -- true
usage_err "grace not a number" "invalid --grace" --grace=soon -- true
for r in TERM KILL:TERM 9:1 STOP:0 CHLD:TERM 17:0 TERM:NOPE TERM:65 :3 3: 0:3 TERM:00; do
	usage_err "-r $r" "invalid -r rewrite \\(FROM:TO, .*\\): '$r'" -r "$r" -- true
done
usage_err "--rewrite without a value" "option '--rewrite' needs a value" --rewrite
out=$(PAUSE_REWRITE='TERM:QUIT,bogus' "$PAUSE" -s -- true 2>&1); rc=$?
is "$rc" 2 "PAUSE_REWRITE with a bad entry: exit 2"
like "$out" "^pause: invalid PAUSE_REWRITE: 'TERM:QUIT,bogus' \\(want SIG:SIG.*"$'\n''Usage: pause' \
	"PAUSE_REWRITE with a bad entry: says which variable, then usage"
PAUSE_REWRITE=' , TERM:QUIT,,usr1:0 ' "$PAUSE" -s -- true; is "$?" 0 "PAUSE_REWRITE: commas, spaces and empty entries accepted"
"$PAUSE" -s -r 15:0 -r SIGUSR2:sigrtmax -r 64:1 -r CONT:STOP --rewrite=HUP:KILL -- true 2>/dev/null
is "$?" 2 "-r TO as SIGRTMAX is not a name pause knows: exit 2"
"$PAUSE" -s -r 15:0 -r SIGUSR2:64 -r 64:1 -r CONT:STOP -rHUP:KILL --rewrite=INT:TERM --rewrite 34:40 -- true
is "$?" 0 "-r: numbers, names, SIG prefix, attached and long forms accepted"
"$PAUSE" -s --grace 0 --term-left --clean-signals -- true; is "$?" 0 "--grace 0, --term-left, --clean-signals accepted"
out=$("$PAUSE" --help)
for o in "-r, --rewrite FROM:TO" "PAUSE_REWRITE=" "--clean-signals" "--term-left" "0: SIGKILL at once"; do
	[[ "$out" == *"$o"* ]]; ok $? "--help mentions '$o'"
done
"$PAUSE" -s -p kill -- true; is "$?" 0 "-p kill (lower case, no SIG) accepted"
"$PAUSE" -s -p SIGRTMIN 2>/dev/null; is "$?" 2 "-p SIGRTMIN is not a name pause knows: exit 2"
"$PAUSE" -s --grace=0.25 -- true 2>/dev/null; is "$?" 0 "--grace=0.25 accepted"
"$PAUSE" -s -- sh -c 'exit 9' sh --bogus; is "$?" 9 "options after CMD belong to CMD"
"$PAUSE" -s "$PWTEST" exit 4; is "$?" 4 "CMD without -- works too"

# --- pausestat ---
out=$("$PAUSESTAT" --help); rc=$?
is "$rc" 0 "pausestat --help: exit 0"
like "$out" '^Usage: pausestat PID \[--json\]' "pausestat --help: usage"
like "$out" 'Exit status: 0 ok, 1 ' "pausestat --help: documents exit codes"
like "$("$PAUSESTAT" --version)" '^pausestat [0-9]' "pausestat --version"
for args in "" "abc" "--bogus 1" "1 2" "-5" "0"; do
	# shellcheck disable=SC2086
	out=$("$PAUSESTAT" $args 2>&1 >/dev/null); rc=$?
	is "$rc" 2 "pausestat ${args:-(no args)}: usage error, exit 2"
	like "$out" 'Usage: pausestat' "pausestat ${args:-(no args)}: usage on stderr"
done
sh -c 'exit 0' & dead=$!; wait $dead
out=$("$PAUSESTAT" "$dead" 2>&1); rc=$?
is "$rc" 1 "pausestat on a gone pid: exit 1"
is "$out" "pausestat: no process $dead" "pausestat on a gone pid: message"
sleep 100 & sl=$!; PIDS+=("$sl")
out=$("$PAUSESTAT" "$sl" 2>&1); rc=$?
is "$rc" 1 "pausestat on a process without a page: exit 1"
is "$out" "pausestat: process $sl has no counters page (no fd -> /memfd:pause-stats (deleted))" \
	"pausestat on a process without a page: message"

start_ns
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PAUSESTAT" "$PP" 2>&1); rc=$?
	is "$rc" 1 "pausestat as nobody on root's pause: exit 1"
	like "$out" "cannot read /proc/$PP/fd: Permission denied" "... says permission denied"
	like "$out" "run as root" "... and what to do"
else
	skip "pausestat as nobody" "no setpriv"
fi
out=$("$PAUSESTAT" "$PP"); rc=$?
is "$rc" 0 "pausestat PID: exit 0"
like "$out" "^pause $PP \\(pid 1 in its namespace\\), pause mode"$'\n' "text: first line"
like "$out" $'\nhardening:  no_new_privs on, seccomp on, PID 1\n' "text: hardening line"
like "$out" $'\nreaped:     0 \\(exit 0: 0, exit 1-255: 0, signaled: 0, core dumped: 0\\)\n' "text: reaped line"
"$PWTEST" orphaner "$PP" 1:e3
wait_until 5 sh -c "$PAUSESTAT $PP --json | jq -e '.reaped_total == 1' >/dev/null"
out=$("$PAUSESTAT" "$PP")
like "$out" $'\nlast reap:  pid [0-9]+ exited 3 at 20[0-9-]+T[0-9:.]+Z\n' "text: last reap"
like "$out" $'\nsignals:    SIGCHLD 1$' "text: signals by name"
json=$("$PAUSESTAT" "$PP" --json); rc=$?
is "$rc" 0 "--json: exit 0"
is "$(jq -r '[.abi_version, .size, .mode, .pid, .child_pid, .reaped_total, .reaped_exit_nonzero, (.last_reap.status / 256)] | map(tostring) | join(" ")' <<<"$json")" \
	"1 672 pause 1 0 1 1 3" "--json: header, mode, counts, raw wait status"
is "$(jq -r 'keys | length' <<<"$json")" 21 "--json: 21 keys (drain_found appended)"
is "$(wc -l <<<"$json")" 1 "--json: one line"
kill -TERM "$PP"; exit_of "$NS"
done_testing
