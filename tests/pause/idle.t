#!/usr/bin/env bash
# idle.t — an idle pause makes no wakeups at all (blocking signalfd read, no
# timeout): zero voluntary context switches over 5 s, as PID 1, as a plain
# process and in init mode.  Also the footprint of the shipped binary.
# timeout: 120
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root

idle_case() {
	local label=$1 v0 v1 n0 n1
	sleep 0.5	# let start-up finish
	v0=$(status_field "$PP" voluntary_ctxt_switches)
	n0=$(status_field "$PP" nonvoluntary_ctxt_switches)
	sleep 5
	v1=$(status_field "$PP" voluntary_ctxt_switches)
	n1=$(status_field "$PP" nonvoluntary_ctxt_switches)
	is "$((v1 - v0))" 0 "$label: 0 voluntary context switches in 5 s idle"
	diag "$label: nonvoluntary $((n1 - n0)), VmRSS $(status_field "$PP" VmRSS) kB"
}

start_ns; idle_case "PID 1"
rss=$(status_field "$PP" VmRSS)
kill -TERM "$PP"; exit_of "$NS"
start_sub -s; idle_case "not PID 1"
kill -TERM "$PP"; exit_of "$NS"
"$PAUSE" -s -- sleep 1000 2>"$T/err" &
PP=$! NS=$!
PIDS+=("$PP")
wait_until 5 has_page "$PP"
idle_case "init mode"
kill -TERM "$PP"; exit_of "$NS"
is "$RC" 143 "init mode: SIGTERM ends sleep: 143"

case "$PAUSE" in
*/san/*)
	skip "VmRSS <= 64 kB" "sanitizer build"
	skip "file <= 32 KiB, static, stripped" "sanitizer build" ;;
*)
	ok $(( rss <= 64 ? 0 : 1 )) "idle VmRSS $rss kB <= 64 kB"
	size=$(stat -c %s "$PAUSE")
	diag "$PAUSE: $size bytes"
	interp=$(readelf -lW "$PAUSE" | grep -c INTERP)
	syms=$(readelf -SW "$PAUSE" | grep -c '\.symtab')
	ok $(( size <= 32768 && interp == 0 && syms == 0 ? 0 : 1 )) \
		"$size bytes <= 32 KiB, static (no INTERP), stripped (no .symtab)" ;;
esac
done_testing
