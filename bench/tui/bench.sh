#!/usr/bin/env bash
# bench/tui/bench.sh — idle CPU of pausetop's live view at the default 1 s
# refresh: on this node as it is, and with 1,000 extra PID namespaces (of 2
# processes each, bench/tui/manyns.c) next to it; and `pausetop --json -n 0`
# over the same 1,000 for comparison (the collector without the live view).
# CPU is pausetop's own utime+stime (/proc/PID/stat) over BENCH_SECS after a
# warm-up, as % of one CPU; the live view runs in a detached tmux, 120x40.
#
# Writes its section of docs/BENCHMARKS.md (between the bench-tui markers).
# Environment: BUILD, PAUSETOP, BENCH_NS (1000), BENCH_PROCS (2),
# BENCH_SECS (60), BENCH_OUT (docs/BENCHMARKS.md; - prints only).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/on-exit.sh
. "$ROOT/scripts/on-exit.sh"
: "${BUILD:=$ROOT/build}"
: "${PAUSETOP:=$BUILD/pausetop}"
MANYNS=$BUILD/bench/tui-manyns
N=${BENCH_NS:-1000}
K=${BENCH_PROCS:-2}
SECS=${BENCH_SECS:-60}
WARMUP=5
OUT=${BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
HZ=$(getconf CLK_TCK)

die() { echo "bench-tui: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (BPF, namespaces)"
for t in tmux "$PAUSETOP" "$MANYNS"; do command -v "$t" >/dev/null || die "$t missing (make bench-tui builds it)"; done

tmp=$(mktemp -d)
sock=pw-tui-bench-$$
holder=
manyns=
jpid=
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	rm -f "/tmp/tmux-$(id -u)/$sock"
	[ -n "$jpid" ] && kill "$jpid" 2>/dev/null && wait "$jpid" 2>/dev/null
	[ -n "$holder" ] && exec 9>&-
	[ -n "$manyns" ] && wait "$manyns" 2>/dev/null
	rm -rf "$tmp"
}
on_exit 'cleanup'

# user+system CPU ticks of a process
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# cpu_percent PID SECONDS — its CPU over that many seconds, % of one CPU
cpu_percent() {
	local t0 t1 s0 s1
	t0=$(ticks "$1") s0=$(date +%s.%N)
	sleep "$2"
	t1=$(ticks "$1") s1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v s="$s0" -v e="$s1" -v hz="$HZ" 'BEGIN { printf "%.2f", 100 * (b - a) / hz / (e - s) }'
}
screen() { tmux -L "$sock" capture-pane -p; }
# the live view in tmux; prints its pid once it shows at least $1 namespaces
start_tui() {
	local want=$1 pane pid tries=0
	tmux -L "$sock" kill-server 2>/dev/null || true
	# a server still shutting down refuses the new session for a moment
	until tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 \
		"env LANG=C.UTF-8 $PAUSETOP --tui; echo pausetop exited \$?; sleep 600" 2>/dev/null; do
		tries=$((tries + 1))
		[ "$tries" -lt 50 ] || die "tmux did not start"
		sleep 0.1
	done
	for _ in $(seq 600); do
		screen | awk -v w="$want" 'NR == 1 && $1 + 0 >= w { found = 1 } END { exit !found }' && break
		sleep 0.1
	done
	screen | awk -v w="$want" 'NR == 1 && $1 + 0 >= w { found = 1 } END { exit !found }' ||
		die "the live view never showed $want namespaces: $(screen | grep -v '^$' | head -3)"
	pane=$(tmux -L "$sock" display -p '#{pane_pid}')
	pid=$(pgrep -P "$pane" -x pausetop) || die "no pausetop under the pane"
	echo "$pid"
}
# "0.8" from the header's "pausetop: 0.8 ms per snapshot"
snapshot_ms() { screen | sed -n 's/.*pausetop: \([0-9.]*\) ms per snapshot.*/\1/p' | head -1; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
base_ns=$("$PAUSETOP" --json | jq '.namespaces | map(select(.alive)) | length')	# alive now

# 1. the live view on the node as it is
pid=$(start_tui 1)
sleep "$WARMUP"
cpu_idle=$(cpu_percent "$pid" "$SECS")
ms_idle=$(snapshot_ms)
shown_idle=$(screen | awk 'NR == 1 { print $1 }')

# 2. with N namespaces of K processes more
mkfifo "$tmp/hold"
"$MANYNS" "$N" "$K" <"$tmp/hold" >"$tmp/ready" 2>"$tmp/manyns.err" &
manyns=$!
exec 9>"$tmp/hold"
holder=1
for _ in $(seq 1200); do grep -q ready "$tmp/ready" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$tmp/ready" || die "tui-manyns did not get ready: $(cat "$tmp/manyns.err")"
pid=$(start_tui "$((base_ns + N))")
sleep "$WARMUP"
cpu_many=$(cpu_percent "$pid" "$SECS")
ms_many=$(snapshot_ms)
shown=$(screen | awk 'NR == 1 { print $1 }')
tmux -L "$sock" kill-server

# 3. the collector alone (JSON lines to /dev/null) over the same namespaces
"$PAUSETOP" --json -n 0 -d 1 >/dev/null 2>"$tmp/json.err" &
jpid=$!
sleep "$WARMUP"
cpu_json=$(cpu_percent "$jpid" "$SECS")
kill "$jpid"
wait "$jpid" 2>/dev/null || true
jpid=
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
	echo "Run: \`make bench-tui\`, $(date -u '+%Y-%m-%d %H:%M') UTC, ${SECS} s per measurement after ${WARMUP} s of warm-up."
	echo "Host: $(nproc) CPUs, kernel $(uname -r); load average (1/5/15 min) before: $load_before; after: $load_after."
	echo "Exact command: \`BENCH_NS=$N BENCH_PROCS=$K BENCH_SECS=$SECS bench/tui/bench.sh\`"
	echo
	echo "| pausetop, refresh 1 s | PID namespaces shown (alive and gone) | CPU, % of one CPU | snapshot, ms (its header) |"
	echo "|---|---:|---:|---:|"
	echo "| live view (120x40, tmux), this node as it is | $shown_idle | $cpu_idle | ${ms_idle:--} |"
	echo "| live view (120x40, tmux), $N namespaces x $K processes more | $shown | **$cpu_many** | ${ms_many:--} |"
	echo "| \`--json -n 0 -d 1 >/dev/null\`, the same namespaces | $shown | $cpu_json | - |"
	echo
	echo "Goal (issue 10): under 2 % of one CPU with 1,000 namespaces at the default refresh."
} >"$tmp/section"

cat "$tmp/section"
[ "$OUT" = - ] && exit 0
begin='<!-- bench-tui:begin (generated by bench/tui/bench.sh; do not edit by hand) -->'
end='<!-- bench-tui:end -->'
grep -q '^<!-- bench-tui:begin' "$OUT" ||
	die "$OUT has no bench-tui markers; results are above (restore the markers to record them)"
awk -v b="$begin" -v e="$end" -v f="$tmp/section" '
	/^<!-- bench-tui:begin/ { print b; while ((getline l < f) > 0) print l; skip = 1; next }
	/^<!-- bench-tui:end/   { skip = 0; print e; next }
	!skip' "$OUT" >"$tmp/out"
cp "$tmp/out" "$OUT"
echo "bench-tui: results written to $OUT" >&2
