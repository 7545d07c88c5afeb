#!/usr/bin/env bash
# bench-snapshot.sh — what one pausetop snapshot costs on a busy node: N PID
# namespaces with K processes each (default 1,000 x 20 = 20,000 processes),
# side by side with the collector as it was before this work (BEFORE, a git
# revision, built in a temporary worktree), in one run on the same processes.
# Writes its section of docs/BENCHMARKS.md (between the bench-snapshot markers).
#
#   bench/collector/bench-snapshot.sh [N] [K] [SNAPSHOTS]
#   BEFORE=5ce585c (default) | BEFORE= (skip the comparison)
#
# Per collector: SNAPSHOTS snapshots 1 s apart (pausetop --json -n ... -d 1,
# the default refresh, so caches are as cold as they are in real use): wall
# time per snapshot (collector.snapshot_seconds, median and 90th percentile,
# first snapshot apart: it reads /proc for every namespace once), pausetop's
# own CPU over the run (its idle cost at the default 1 s refresh: user +
# system time from /proc/PID/stat over the wall time), and its RSS.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/on-exit.sh
. "$ROOT/scripts/on-exit.sh"
BUILD=${BUILD:-$ROOT/build}
N=${1:-1000}
K=${2:-20}
SNAPS=${3:-30}
BEFORE=${BEFORE-5ce585c}
OUT=${BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
PAUSETOP=${PAUSETOP:-$BUILD/pausetop}
MANYNS=$BUILD/bench/manyns
for t in "$PAUSETOP" "$MANYNS" jq; do
	command -v "$t" >/dev/null || { echo "bench-snapshot: missing $t (make all)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench-snapshot: needs root (BPF)" >&2; exit 1; }
pid_max=$(cat /proc/sys/kernel/pid_max)
[ $((N * K + 2000)) -lt "$pid_max" ] || { echo "bench-snapshot: $N x $K processes do not fit pid_max $pid_max" >&2; exit 1; }

tmp=$(mktemp -d)
holder=""
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	[ -d "$tmp/before" ] && git -C "$ROOT" worktree remove --force "$tmp/before" >/dev/null 2>&1
	rm -rf "$tmp"
	return 0
}
on_exit 'cleanup'

# the "before" collector, built from its own revision
tools=(after:"$PAUSETOP")
if [ -n "$BEFORE" ]; then
	git -C "$ROOT" worktree add -q --detach "$tmp/before" "$BEFORE"
	make -C "$tmp/before" -s build/pausetop >/dev/null
	tools=(before:"$tmp/before/build/pausetop" "${tools[@]}")
fi

# the node: N namespaces x K processes, held until our end of the pipe closes
nprocs() { local all=(/proc/[0-9]*); echo "${#all[@]}"; }
before_procs=$(nprocs)
mkfifo "$tmp/hold"
"$MANYNS" "$N" "$K" <"$tmp/hold" >"$tmp/manyns.out" &
holder=$!
exec 9>"$tmp/hold"
want=$((before_procs + N * K))
for _ in $(seq 600); do
	kids=$(nprocs)
	[ "$kids" -ge "$want" ] && break
	sleep 0.1
done
kids=$((kids - before_procs))
echo "bench-snapshot: $kids new processes in $N namespaces" >&2

rows=()
for t in "${tools[@]}"; do
	name=${t%%:*} bin=${t#*:}
	"$bin" --json -n "$SNAPS" -d 1 >"$tmp/$name.json" 2>"$tmp/$name.err" &
	p=$!
	sleep 3
	rss=$(awk '/VmRSS/{print $2}' /proc/$p/status)
	ticks0=$(awk '{print $14+$15}' /proc/$p/stat)
	t0=$(date +%s.%N)
	sleep $((SNAPS - 5))
	ticks1=$(awk '{print $14+$15}' /proc/$p/stat)
	t1=$(date +%s.%N)
	wait "$p"
	cpu=$(awk -v a="$ticks0" -v b="$ticks1" -v s="$t0" -v e="$t1" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.2f", 100 * (b - a) / hz / (e - s) }')
	# snapshots 3.. : the first reads /proc for every namespace once
	wall=$(jq -s '[.[2:][] | .collector.snapshot_seconds * 1000] | sort' "$tmp/$name.json")
	med=$(jq -n --argjson a "$wall" '$a[($a|length/2|floor)]')
	p90=$(jq -n --argjson a "$wall" '$a[($a|length*0.9|floor)]')
	first=$(jq -s '.[0].collector.snapshot_seconds * 1000' "$tmp/$name.json")
	nsn=$(jq -s '.[-1].namespaces | length' "$tmp/$name.json")
	rows+=("$name|$first|$med|$p90|$nsn|$rss|$cpu")
	echo "bench-snapshot: $name first $first ms, median $med ms, p90 $p90 ms, $nsn namespaces, RSS $rss kB, CPU $cpu %" >&2
done
exec 9>&-

date=$(date -u +%Y-%m-%dT%H:%MZ)
load=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "<!-- bench-snapshot:begin -->"
	echo "Run $date, load average $load, kernel $(uname -r), $kids processes in $N PID namespaces"
	echo "($K per namespace), \`bench/collector/bench-snapshot.sh $N $K $SNAPS\`, $SNAPS snapshots 1 s apart each:"
	echo
	echo "| collector | first snapshot | snapshot (median) | p90 | per namespace (median) | namespaces seen | CPU at 1 s refresh | RSS |"
	echo "|---|---|---|---|---|---|---|---|"
	for r in "${rows[@]}"; do
		IFS='|' read -r name first med p90 nsn rss cpu <<<"$r"
		printf '| %s | %.1f ms | **%.2f ms** | %.2f ms | %.2f µs | %s | %s %% | %s kB |\n' "$name" "$first" "$med" "$p90" \
			"$(awk -v m="$med" -v n="$N" 'BEGIN{print m * 1000 / n}')" "$nsn" "$cpu" "$rss"
	done
	echo "<!-- bench-snapshot:end -->"
} >"$tmp/section"
if grep -q '<!-- bench-snapshot:begin -->' "$OUT"; then
	awk -v f="$tmp/section" '
		/<!-- bench-snapshot:begin -->/ { while ((getline l < f) > 0) print l; skip = 1; next }
		/<!-- bench-snapshot:end -->/ { skip = 0; next }
		!skip' "$OUT" >"$tmp/out" && cat "$tmp/out" >"$OUT"
else
	{ echo; echo "## Snapshot cost at 1,000 namespaces"; echo; cat "$tmp/section"; } >>"$OUT"
fi
cat "$tmp/section"
