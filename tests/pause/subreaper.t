#!/usr/bin/env bash
# subreaper.t — pause not PID 1: registers as child subreaper, warns once
# (not with -s), adopts and reaps an orphaned grandchild.
# timeout: 120
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root

# the warning: exactly one line, none with -s, none as PID 1
start_sub
is "$(cat "$T/err")" "pause: warning: not PID 1 (pid $PP): registered as child subreaper to reap orphans (-s: no warning)" \
	"pause mode, not PID 1: one warning line"
is "$(page .flags.subreaper)" true "page flag subreaper"
kill -TERM "$PP"; exit_of "$NS"
start_sub -s
is "$(cat "$T/err")" "" "-s: no warning"
is "$(page .flags.subreaper)" true "-s: still a subreaper"
kill -TERM "$PP"; exit_of "$NS"
start_ns
is "$(cat "$T/err")" "" "PID 1: no warning"
is "$(page .flags.subreaper)" false "PID 1: not flagged subreaper"
kill -TERM "$PP"; exit_of "$NS"

# an orphaned grandchild comes back to pause and is reaped by it
rm -f "$T/gg"
"$PAUSE" -w -- "$PWTEST" orphan-tree "$T/gg" 2>"$T/err" &
PP=$! NS=$!
PIDS+=("$PP")
wait_until 10 test -s "$T/gg" || bail "orphan-tree did not start"
gg=$(cat "$T/gg")
PIDS+=("$gg")
is "$(status_field "$gg" PPid)" "$PP" "orphaned grandchild was adopted by pause"
kill -TERM "$gg"
wait_until 10 grep -q "^pause: reaped pid $gg: killed by signal 15$" "$T/err"
ok $? "pause reaped it (-w: 'reaped pid $gg: killed by signal 15')"
wait_until 5 gone "$gg"
ok $? "no zombie left"
is "$(page '[.reaped_total, .reaped_signaled, .last_reap.pid, .last_reap.status] | map(tostring) | join(" ")')" \
	"1 1 $gg 15" "page: 1 reap, signaled, last_reap pid and raw status"
is "$(page '.child_pid > 0 and .mode == "init"')" true "page: init mode, main child recorded"
kill -TERM "$PP"; exit_of "$NS"
is "$RC" 143 "SIGTERM forwarded to the main child, which dies by it: 143"
is "$(grep -c 'warning: not PID 1' "$T/err")" 1 "init mode warned once too"

# a child that died before pause blocked SIGCHLD (inherited across exec,
# its SIGCHLD discarded) is still reaped, at start
perl -e 'exit 4 unless fork; select(undef, undef, undef, 0.3); exec @ARGV' \
	"$PAUSE" -s -w 2>"$T/err" &
PP=$! NS=$!
PIDS+=("$PP")
wait_until 5 grep -q 'exited 4$' "$T/err"
like "$(cat "$T/err")" '^pause: reaped pid [0-9]+: exited 4$' "zombie inherited across exec is reaped at start"
kill -TERM "$PP"; exit_of "$NS"
done_testing
