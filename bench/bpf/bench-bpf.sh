#!/usr/bin/env bash
# bench-bpf.sh — CPU cost per process lifecycle (fork, exit, reap) of the
# pausewatch BPF programs plus their reader, side by side with libbpf-tools'
# exitsnoop and sigsnoop, in one run on the same workload.
#
#   bench/bpf/bench-bpf.sh [N] [ROUNDS]      (defaults 20000 lifecycles, 3 rounds)
#
# Cost = (Δ run_time_ns of the tool's BPF programs, kernel.bpf_stats_enabled)
#      + (Δ CPU time of the tool's own process, /proc/PID/schedstat)
# divided by N.  Every tracer sees every process on the machine, so other
# work running at the same time is charged to all of them alike.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
N=${1:-20000}
ROUNDS=${2:-3}
LIFECYCLE=$BUILD/bench/lifecycle
PAUSETOP=${PAUSETOP:-$BUILD/pausetop}
for t in "$LIFECYCLE" "$PAUSETOP" /usr/sbin/exitsnoop /usr/sbin/sigsnoop bpftool jq; do
	command -v "$t" >/dev/null || { echo "bench-bpf: missing $t (make all bench-bins; scripts/deps.sh bench)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench-bpf: needs root (BPF)" >&2; exit 1; }

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
tracer=""
mounted_tracefs=""
cleanup() {
	[ -n "$tracer" ] && kill "$tracer" 2>/dev/null && wait "$tracer" 2>/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$old_stats"
	[ -n "$mounted_tracefs" ] && umount /sys/kernel/tracing
	return 0
}
trap cleanup EXIT
sysctl -qw kernel.bpf_stats_enabled=1
# exitsnoop and sigsnoop attach classic tp/ programs, which need tracefs (pausewatch does not)
if [ ! -e /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing && mounted_tracefs=1
fi

# ids of the BPF programs process $1 holds (its fds' fdinfo has prog_id:)
prog_ids() { grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -un; }
# sum of run_time_ns over those programs
prog_ns() {
	local ids
	ids=$(prog_ids "$1" | paste -sd, -)
	[ -n "$ids" ] || { echo 0; return; }
	bpftool prog show -j 2>/dev/null |
		jq --argjson ids "[$ids]" '[.[] | select(.id as $i | $ids | index($i)) | .run_time_ns // 0] | add // 0'
}
prog_count() { prog_ids "$1" | wc -l; }
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }

start_tracer() {
	case $1 in
	baseline) tracer=""; return 0 ;;
	pausewatch) "$PAUSETOP" --json -n 0 -d 1 >/dev/null 2>&1 & ;;
	exitsnoop) /usr/sbin/exitsnoop >/dev/null 2>&1 & ;;
	sigsnoop) /usr/sbin/sigsnoop >/dev/null 2>&1 & ;;
	esac
	tracer=$!
	for _ in $(seq 200); do
		[ "$(prog_count "$tracer")" -gt 0 ] && { sleep 0.3; return 0; }
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

declare -A bpf_sum cpu_sum wall_sum
tools=(baseline pausewatch exitsnoop sigsnoop)
echo "# bench-bpf: $N lifecycles x $ROUNDS rounds, $(date -u +%FT%TZ), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
	for tool in "${tools[@]}"; do
		start_tracer "$tool"
		b0=0 c0=0
		if [ -n "$tracer" ]; then b0=$(prog_ns "$tracer"); c0=$(cpu_ns "$tracer"); fi
		wall=$("$LIFECYCLE" "$N")
		sleep 1.2	# let the reader take its next snapshot: its cost is per interval
		b1=0 c1=0
		if [ -n "$tracer" ]; then b1=$(prog_ns "$tracer"); c1=$(cpu_ns "$tracer"); fi
		stop_tracer
		bpf_sum[$tool]=$(( ${bpf_sum[$tool]:-0} + b1 - b0 ))
		cpu_sum[$tool]=$(( ${cpu_sum[$tool]:-0} + c1 - c0 ))
		wall_sum[$tool]=$(( ${wall_sum[$tool]:-0} + wall ))
		printf '# round %d %-10s bpf %8.3f us/lc  reader %8.3f us/lc  wall %8.2f us/lc\n' "$round" "$tool" \
			"$(awk -v x=$(( b1 - b0 )) -v n="$N" 'BEGIN{print x/n/1000}')" \
			"$(awk -v x=$(( c1 - c0 )) -v n="$N" 'BEGIN{print x/n/1000}')" \
			"$(awk -v x="$wall" -v n="$N" 'BEGIN{print x/n/1000}')"
	done
done

total=$(( N * ROUNDS ))
pw_total=$(awk -v b="${bpf_sum[pausewatch]}" -v c="${cpu_sum[pausewatch]}" -v n="$total" 'BEGIN{print (b+c)/n/1000}')
echo
echo "| tool | BPF µs/lifecycle | reader µs/lifecycle | total µs/lifecycle | × pausewatch | wall µs/lifecycle (baseline $(awk -v w="${wall_sum[baseline]}" -v n="$total" 'BEGIN{printf "%.1f", w/n/1000}')) |"
echo "|---|---:|---:|---:|---:|---:|"
for tool in pausewatch exitsnoop sigsnoop; do
	awk -v b="${bpf_sum[$tool]}" -v c="${cpu_sum[$tool]}" -v w="${wall_sum[$tool]}" -v n="$total" \
		-v pw="$pw_total" -v t="$tool" 'BEGIN{
			tot=(b+c)/n/1000;
			printf "| %s | %.3f | %.3f | %.3f | %.1f | %.1f |\n", t, b/n/1000, c/n/1000, tot, tot/pw, w/n/1000 }'
done
