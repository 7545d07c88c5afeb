#!/usr/bin/env bash
# bench-bpf.sh — CPU cost per process lifecycle (fork, exit, reap) of the
# pausewatch BPF programs plus their reader, side by side with libbpf-tools'
# exitsnoop and sigsnoop, in one run on the same workload.  Writes its section
# of docs/BENCHMARKS.md (between the bench-bpf markers).
#
#   bench/bpf/bench-bpf.sh [N] [ROUNDS]      (defaults 20000 lifecycles, 3 rounds)
#
# Cost = (Δ run_time_ns of the tool's BPF programs, kernel.bpf_stats_enabled)
#      + (Δ CPU time of the tool's own process, /proc/PID/schedstat)
# divided by N.  Every tracer sees every process on the machine, so other work
# running at the same time is charged to all of them alike; the "runs per
# lifecycle" column shows how much of that there was.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/on-exit.sh
. "$ROOT/scripts/on-exit.sh"
BUILD=${BUILD:-$ROOT/build}
N=${1:-20000}
ROUNDS=${2:-3}
OUT=${BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
LIFECYCLE=$BUILD/bench/lifecycle
PAUSETOP=${PAUSETOP:-$BUILD/pausetop}
for t in "$LIFECYCLE" "$PAUSETOP" /usr/sbin/exitsnoop /usr/sbin/sigsnoop bpftool jq; do
	command -v "$t" >/dev/null || { echo "bench-bpf: missing $t (make all; scripts/deps.sh bench)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench-bpf: needs root (BPF)" >&2; exit 1; }

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
tracer=""
mounted_tracefs=""
tmp=$(mktemp -d)
cleanup() {
	[ -n "$tracer" ] && kill "$tracer" 2>/dev/null && wait "$tracer" 2>/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$old_stats"
	[ -n "$mounted_tracefs" ] && umount /sys/kernel/tracing
	rm -rf "$tmp"
	return 0
}
on_exit 'cleanup'
sysctl -qw kernel.bpf_stats_enabled=1
# exitsnoop and sigsnoop attach classic tp/ programs, which need tracefs (pausewatch does not)
if [ ! -e /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing && mounted_tracefs=1
fi

# ids of the BPF programs process $1 holds (its fds' fdinfo has prog_id:)
prog_ids() { grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -un; }
# "run_time_ns run_cnt" summed over those programs
prog_stats() {
	local ids
	ids=$(prog_ids "$1" | paste -sd, -)
	[ -n "$ids" ] || { echo "0 0"; return; }
	bpftool prog show -j 2>/dev/null | jq -r --argjson ids "[$ids]" \
		'[.[] | select(.id as $i | $ids | index($i))] | "\(map(.run_time_ns // 0) | add) \(map(.run_cnt // 0) | add)"'
}
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }

start_tracer() {
	case $1 in
	baseline) tracer=""; return 0 ;;
	pausewatch) "$PAUSETOP" --json -n 0 -d 1 >/dev/null 2>&1 & ;;
	exitsnoop) /usr/sbin/exitsnoop >/dev/null 2>&1 & ;;
	sigsnoop) /usr/sbin/sigsnoop >/dev/null 2>&1 & ;;
	esac
	tracer=$!
	for _ in $(seq 400); do
		[ "$(prog_ids "$tracer" | wc -l)" -gt 0 ] && { sleep 0.5; return 0; }
		kill -0 "$tracer" 2>/dev/null || break
		sleep 0.05
	done
	echo "bench-bpf: $1 did not load its programs" >&2
	return 1
}

stop_tracer() {
	[ -n "$tracer" ] || return 0
	kill "$tracer" 2>/dev/null; wait "$tracer" 2>/dev/null || true
	tracer=""
}

declare -A bpf_sum cpu_sum wall_sum runs_sum
tools=(baseline pausewatch exitsnoop sigsnoop)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
t0=$(date +%s)
for round in $(seq "$ROUNDS"); do
	for tool in "${tools[@]}"; do
		start_tracer "$tool"
		b0=0 r0=0 c0=0 b1=0 r1=0 c1=0
		if [ -n "$tracer" ]; then read -r b0 r0 < <(prog_stats "$tracer"); c0=$(cpu_ns "$tracer"); fi
		wall=$("$LIFECYCLE" "$N")
		sleep 1.2	# the reader's next snapshot: its cost is per interval, charge one
		if [ -n "$tracer" ]; then read -r b1 r1 < <(prog_stats "$tracer"); c1=$(cpu_ns "$tracer"); fi
		stop_tracer
		bpf_sum[$tool]=$(( ${bpf_sum[$tool]:-0} + b1 - b0 ))
		runs_sum[$tool]=$(( ${runs_sum[$tool]:-0} + r1 - r0 ))
		cpu_sum[$tool]=$(( ${cpu_sum[$tool]:-0} + c1 - c0 ))
		wall_sum[$tool]=$(( ${wall_sum[$tool]:-0} + wall ))
		awk -v r="$round" -v t="$tool" -v b=$(( b1 - b0 )) -v c=$(( c1 - c0 )) -v w="$wall" -v n="$N" \
			'BEGIN { printf "round %d %-10s bpf %7.3f us/lc  reader %7.3f us/lc  wall %7.2f us/lc\n", r, t, b/n/1000, c/n/1000, w/n/1000 }'
	done
done
secs=$(( $(date +%s) - t0 ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

total=$(( N * ROUNDS ))
{
	echo "Run: \`make bench-bpf\` (part of \`make bench\`), $started, ${secs}s."
	echo "Host: $(nproc) CPUs, kernel $(uname -r); load average before: $load_before; after: $load_after."
	echo "Versions: pausetop $("$PAUSETOP" --version | cut -d' ' -f2) ($("$PAUSETOP" --json | jq -r .collector.exit_variant) exit program), libbpf-tools $(dpkg-query -W -f='${Version}' libbpf-tools) (Debian)."
	echo "Exact command: \`bench/bpf/bench-bpf.sh $N $ROUNDS\` — $N fork/exit/waitpid lifecycles × $ROUNDS rounds per tool, tools interleaved."
	echo
	echo "| tool | BPF µs / lifecycle | BPF runs / lifecycle | reader µs / lifecycle | total µs / lifecycle | total / pausewatch | workload wall µs / lifecycle |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	pw=$(awk -v b="${bpf_sum[pausewatch]}" -v c="${cpu_sum[pausewatch]}" -v n="$total" 'BEGIN{print (b+c)/n/1000}')
	awk -v w="${wall_sum[baseline]}" -v n="$total" 'BEGIN { printf "| (no tracer) | – | – | – | – | – | %.1f |\n", w/n/1000 }'
	for tool in pausewatch exitsnoop sigsnoop; do
		awk -v b="${bpf_sum[$tool]}" -v r="${runs_sum[$tool]}" -v c="${cpu_sum[$tool]}" \
			-v w="${wall_sum[$tool]}" -v n="$total" -v pw="$pw" -v t="$tool" 'BEGIN {
			tot = (b + c) / n / 1000
			printf "| %s | %.3f | %.2f | %.3f | **%.3f** | %.1f× | %.1f |\n", t, b/n/1000, r/n, c/n/1000, tot, tot/pw, w/n/1000 }'
	done
} >"$tmp/section"
cat "$tmp/section"

begin='<!-- bench-bpf:begin (generated by bench/bpf/bench-bpf.sh; do not edit by hand) -->'
end='<!-- bench-bpf:end -->'
if [ ! -f "$OUT" ] || ! grep -q '^<!-- bench-bpf:begin' "$OUT"; then
	echo "bench-bpf: $OUT has no bench-bpf markers; results are above" >&2
	exit 0
fi
awk -v b="$begin" -v e="$end" -v f="$tmp/section" '
	/^<!-- bench-bpf:begin/ { print b; while ((getline l < f) > 0) print l; skip = 1; next }
	/^<!-- bench-bpf:end/   { skip = 0; print e; next }
	!skip' "$OUT" >"$tmp/out"
cp "$tmp/out" "$OUT"
echo "bench-bpf: results written to ${OUT#"$ROOT"/}"
