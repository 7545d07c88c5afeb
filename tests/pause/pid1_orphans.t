#!/usr/bin/env bash
# pid1_orphans.t — pause as PID 1 of a new PID namespace reaps a burst of
# 10,000 orphans that all exit at once, and its counters page (read from the
# host with pausestat --json) has exactly the outcomes we caused.
# timeout: 600
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root

start_ns -w || bail "pause did not start as PID 1 of a new pid namespace"
is "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$PP/status")" 1 "pause is PID 1 in its namespace"

# Real core dumps only where they land in the dying process's cwd (plain
# relative core_pattern): then 5 of the SIGQUITs dump into $T/cores.  With a
# piped/absolute pattern we cannot steer them: all 1000 SIGQUITs run with
# RLIMIT_CORE 0 and undumpable, so none may count as core dumped.
pattern=$(cat /proc/sys/kernel/core_pattern)
mkdir -p "$T/cores"
if [[ "$pattern" != *"|"* && "$pattern" != */* && "$pattern" != *%* ]]; then
	quit=(995:s3 "5:c3:$T/cores"); want_core=5
else
	quit=(1000:s3); want_core=0
	diag "core_pattern '$pattern': real core dumps not exercised"
fi
# 4000 exit 0, 3000 exit 1..255 in turn, 1000 SIGKILL, 1000 SIGTERM, 1000 SIGQUIT
"$PWTEST" orphaner "$PP" 4000:e0 '3000:e*' 1000:s9 1000:s15 "${quit[@]}"
ok $? "orphaner forked 10,000 children, left them to pause and released them"

# Liveness, not speed: every orphan is gone (reaped, no zombie).  A loaded
# machine runs 10,000 exits slowly (at a load of 700, half were still there
# after 30 s), so this fails only when the count stops falling for 30 s.
children() { wc -w <"/proc/$PP/task/$PP/children"; }
left=$(children) still=0
while [ "$left" -gt 0 ] && [ "$still" -lt 300 ]; do
	sleep 0.1
	n=$(children)
	if [ "$n" -lt "$left" ]; then still=0; else still=$((still + 1)); fi
	left=$n
done
is "$left" 0 "no child (zombie or not) left under pause"
sleep 1
is "$(children)" 0 "still none 1 s later"
is "$(ps -e -o ppid=,stat= | awk -v p="$PP" '$1 == p && $2 ~ /Z/' | wc -l)" 0 "no zombie with pause as parent"

json=$("$PAUSESTAT" "$PP" --json)
ok $? "pausestat --json reads the page from the host"
is "$(jq -r .reaped_total <<<"$json")" 10000 "reaped_total 10000"
is "$(jq -r .reaped_exit_zero <<<"$json")" 4000 "reaped_exit_zero 4000"
is "$(jq -r .reaped_exit_nonzero <<<"$json")" 3000 "reaped_exit_nonzero 3000"
is "$(jq -r .reaped_signaled <<<"$json")" $((3000 - want_core)) "reaped_signaled (SIGKILL+SIGTERM+undumped SIGQUIT)"
is "$(jq -r .reaped_core_dumped <<<"$json")" "$want_core" "reaped_core_dumped"
is "$(jq -r '.mode + " " + (.pid|tostring) + " " + (.flags.subreaper|tostring)' <<<"$json")" \
	"pause 1 false" "mode pause, pid 1, not a subreaper"
n=$(jq -r '.signals.SIGCHLD' <<<"$json")
ok $(( n >= 1 && n <= 10000 ? 0 : 1 )) "SIGCHLD counted 1..10000 times (coalesced: $n)"
if [ "$want_core" -gt 0 ]; then
	is "$(find "$T/cores" -name 'core*' -type f | wc -l)" 5 "the 5 core dumps exist"
else
	skip "the 5 core dumps exist" "core_pattern not a plain file name"
fi

# -w logged every reap with pid and outcome
is "$(grep -c '^pause: reaped pid [0-9]*: ' "$T/err")" 10000 "-w logged 10000 reaps"
# orphan i exits (i % 255) + 1: 255 for i = 254, 509, ..., 2804: 11 times
is "$(grep -c ': exited 255$' "$T/err")" 11 "exit 255 logged as often as the orphaner chose it"
is "$(grep -c ': killed by signal 9$' "$T/err")" 1000 "1000 logged as killed by signal 9"

kill -TERM "$PP"
exit_of "$NS"
is "$RC" 0 "SIGTERM: exit 0"
done_testing
