#!/usr/bin/env bash
# bench/pause/bench.sh — our pause (pause mode) side by side with catatonit -P,
# tini and dumb-init, in one run; results replace the pause section of
# docs/BENCHMARKS.md (between the bench-pause markers) and go to stdout.
#
#   bench/pause/bench.sh            (run by `make bench-pause` / `make bench`)
#
# Each init runs as PID 1 of a fresh PID namespace in its own pids cgroup
# (bench/pause/initbench.c).  tini and dumb-init need a child: `sleep inf`.
#   size      file size as shipped, and after strip --strip-all
#   RSS       VmRSS of the idle init (its child's RSS shown apart)
#   wakeups   voluntary context switches over BENCH_IDLE seconds of idling
#   burst     BENCH_ORPHANS orphans blocked on a pipe, reparented to the init;
#             the pipe closes, all exit at once; time until pids.current is
#             back to idle, i.e. the init has reaped every one (same outside
#             measure for all four).
#   zombies   BENCH_ORPHANS zombies handed to the init at once (their parent
#             exits); time until all are reaped: pure reaping throughput.
#   BENCH_RUNS runs of each, order rotated per run, median (min-max)
#   reported; ratio = ours / best peer.
# Environment: BUILD, PAUSE (default $BUILD/pause), INITBENCH (default
# $BUILD/bench/initbench), BENCH_RUNS (7), BENCH_ORPHANS (10000),
# BENCH_IDLE (10), BENCH_OUT (docs/BENCHMARKS.md; "-" = stdout only).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/on-exit.sh
. "$ROOT/scripts/on-exit.sh"
cd "$ROOT"
: "${BUILD:=build}"
: "${PAUSE:=$BUILD/pause}"
: "${INITBENCH:=$BUILD/bench/initbench}"
: "${BENCH_RUNS:=7}"
: "${BENCH_ORPHANS:=10000}"
: "${BENCH_IDLE:=10}"
: "${BENCH_OUT:=docs/BENCHMARKS.md}"

die() { echo "bench-pause: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (PID namespaces, cgroups)"
[ -x "$INITBENCH" ] || die "$INITBENCH missing (make $INITBENCH)"
[ -x "$PAUSE" ] || die "$PAUSE missing (make $PAUSE)"
for t in catatonit tini dumb-init strip readelf; do
	command -v "$t" >/dev/null || die "$t missing (scripts/deps.sh bench)"
done

NAMES=(pause catatonit tini dumb-init)
declare -A LABEL=([pause]="pause (ours)" [catatonit]="catatonit -P" [tini]="tini" [dumb-init]="dumb-init")
declare -A BIN=([pause]=$PAUSE [catatonit]=$(command -v catatonit) [tini]=$(command -v tini) [dumb-init]=$(command -v dumb-init))
declare -A CMD=([pause]="$PAUSE" [catatonit]="catatonit -P" [tini]="tini -- sleep inf" [dumb-init]="dumb-init sleep inf")
declare -A VER
VER[pause]=$("$PAUSE" -v 2>/dev/null | awk '{print $NF}')
for n in catatonit tini dumb-init; do VER[$n]=$(dpkg-query -W -f '${Version}' "$n" 2>/dev/null || echo "?"); done

tmp=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$tmp"'
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$(date +%s)

# kv FILE KEY — a value from initbench's key=value output
kv() { sed -n "s/^$2=//p" "$1" | head -1; }
# median / range of whitespace-separated numbers
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
range()  { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {print lo "–" hi}'; }

# ---- size ------------------------------------------------------------------
declare -A SIZE STRIPPED LINK
for n in "${NAMES[@]}"; do
	SIZE[$n]=$(stat -L -c %s "${BIN[$n]}")
	strip --strip-all -o "$tmp/stripped" "${BIN[$n]}" 2>/dev/null || cp "${BIN[$n]}" "$tmp/stripped"
	STRIPPED[$n]=$(stat -c %s "$tmp/stripped")
	# no pipe into grep -q (pipefail: its early exit can SIGPIPE readelf)
	if [[ "$(readelf -lW "${BIN[$n]}")" == *INTERP* ]]; then LINK[$n]=dynamic; else LINK[$n]=static; fi
done

# ---- idle: all four at once (idle inits do not disturb each other) ------------
echo "bench-pause: idle phase, ${BENCH_IDLE}s, all four side by side" >&2
for n in "${NAMES[@]}"; do
	# shellcheck disable=SC2086 # CMD is a word list on purpose
	"$INITBENCH" idle "$BENCH_IDLE" -- ${CMD[$n]} >"$tmp/idle.$n" 2>"$tmp/idle.$n.err" &
done
wait || die "idle phase failed: $(cat "$tmp"/idle.*.err)"
declare -A RSS CRSS VCSW NVCSW
for n in "${NAMES[@]}"; do
	RSS[$n]=$(kv "$tmp/idle.$n" rss_kb)
	CRSS[$n]=$(kv "$tmp/idle.$n" child_rss_kb)
	VCSW[$n]=$(kv "$tmp/idle.$n" voluntary_ctxt_switches)
	NVCSW[$n]=$(kv "$tmp/idle.$n" nonvoluntary_ctxt_switches)
	if [ -z "${RSS[$n]}" ] || [ -z "${VCSW[$n]}" ]; then
		die "no idle result for $n: $(cat "$tmp/idle.$n.err")"
	fi
done

# ---- bursts: one init at a time, order rotated each run ------------------------
declare -A DRAIN CPU FORK ZDRAIN ZCPU
RETRIES=0
for r in $(seq "$BENCH_RUNS"); do
	for i in "${!NAMES[@]}"; do
		n=${NAMES[$(( (i + r - 1) % ${#NAMES[@]} ))]}
		for mode in burst zombies; do
			echo "bench-pause: run $r/$BENCH_RUNS: $mode, ${LABEL[$n]}" >&2
			# Exit 3: disturbed from outside (shared machine): retry twice.
			for try in 1 2 3; do
				rc=0
				# shellcheck disable=SC2086 # CMD is a word list on purpose
				"$INITBENCH" "$mode" "$BENCH_ORPHANS" -- ${CMD[$n]} >"$tmp/burst" 2>"$tmp/burst.err" || rc=$?
				if [ "$rc" -ne 3 ] || [ "$try" -eq 3 ]; then break; fi
				echo "bench-pause: retrying: $(cat "$tmp/burst.err")" >&2
				RETRIES=$((RETRIES + 1))
			done
			[ "$rc" -eq 0 ] || die "$mode with ${LABEL[$n]} failed: $(cat "$tmp/burst.err")"
			if [ "$mode" = burst ]; then
				DRAIN[$n]+=" $(kv "$tmp/burst" drain_ms)"
				CPU[$n]+=" $(kv "$tmp/burst" init_cpu_ms)"
				FORK[$n]+=" $(kv "$tmp/burst" fork_ms)"
			else
				ZDRAIN[$n]+=" $(kv "$tmp/burst" drain_ms)"
				ZCPU[$n]+=" $(kv "$tmp/burst" init_cpu_ms)"
			fi
		done
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
secs=$(( $(date +%s) - t_start ))

# ---- table --------------------------------------------------------------------
declare -A DRAIN_MED CPU_MED ZDRAIN_MED ZCPU_MED
for n in "${NAMES[@]}"; do
	DRAIN_MED[$n]=$(median "${DRAIN[$n]}")
	CPU_MED[$n]=$(median "${CPU[$n]}")
	ZDRAIN_MED[$n]=$(median "${ZDRAIN[$n]}")
	ZCPU_MED[$n]=$(median "${ZCPU[$n]}")
done
# ratio METRIC-ARRAY-NAME — ours / the best (lowest) peer
ratio() {
	local -n m=$1
	awk -v o="${m[pause]}" -v a="${m[catatonit]}" -v b="${m[tini]}" -v c="${m[dumb-init]}" 'BEGIN {
		best = a; if (b < best) best = b; if (c < best) best = c
		if (best == 0) { print (o == 0 ? "= (both 0)" : "n/a (best peer 0)"); exit }
		printf "%.2f×\n", o / best }'
}
row() { local label=$1; shift; printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$@"; }

{
	echo "Run: \`make bench-pause\` (part of \`make bench\`), $started, ${secs}s."
	echo "Host: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r);"
	echo "Load average (1/5/15 min) before the run: $load_before; after: $load_after (the"
	echo "after value includes the bursts themselves: ${BENCH_ORPHANS} tasks runnable at once count as load)."
	echo "Versions: pause ${VER[pause]} (\`$PAUSE\`), catatonit ${VER[catatonit]}, tini ${VER[tini]}, dumb-init ${VER[dumb-init]} (Debian)."
	echo "Exact command: \`BENCH_RUNS=$BENCH_RUNS BENCH_ORPHANS=$BENCH_ORPHANS BENCH_IDLE=$BENCH_IDLE bench/pause/bench.sh\`"
	echo
	echo "| | pause (ours) | catatonit -P | tini -- sleep inf | dumb-init sleep inf | ours / best peer |"
	echo "|---|---:|---:|---:|---:|---:|"
	row "binary size, bytes (linkage)" "${SIZE[pause]} (${LINK[pause]})" "${SIZE[catatonit]} (${LINK[catatonit]})" \
		"${SIZE[tini]} (${LINK[tini]})" "${SIZE[dumb-init]} (${LINK[dumb-init]})" "$(ratio SIZE)"
	row "stripped size, bytes" "${STRIPPED[pause]}" "${STRIPPED[catatonit]}" "${STRIPPED[tini]}" "${STRIPPED[dumb-init]}" "$(ratio STRIPPED)"
	row "VmRSS of the idle init, kB" "${RSS[pause]}" "${RSS[catatonit]}" "${RSS[tini]}" "${RSS[dumb-init]}" "$(ratio RSS)"
	row "VmRSS of its child, kB" "—" "—" "${CRSS[tini]} (sleep)" "${CRSS[dumb-init]} (sleep)" ""
	row "voluntary ctxt switches in ${BENCH_IDLE} s idle" "${VCSW[pause]}" "${VCSW[catatonit]}" "${VCSW[tini]}" "${VCSW[dumb-init]}" "$(ratio VCSW)"
	row "involuntary ctxt switches in ${BENCH_IDLE} s idle" "${NVCSW[pause]}" "${NVCSW[catatonit]}" "${NVCSW[tini]}" "${NVCSW[dumb-init]}" "$(ratio NVCSW)"
	row "${BENCH_ORPHANS}-orphan burst drained, ms, median (min–max)" \
		"${DRAIN_MED[pause]} ($(range "${DRAIN[pause]}"))" "${DRAIN_MED[catatonit]} ($(range "${DRAIN[catatonit]}"))" \
		"${DRAIN_MED[tini]} ($(range "${DRAIN[tini]}"))" "${DRAIN_MED[dumb-init]} ($(range "${DRAIN[dumb-init]}"))" "$(ratio DRAIN_MED)"
	row "init CPU time during that drain, ms, median" "${CPU_MED[pause]}" "${CPU_MED[catatonit]}" "${CPU_MED[tini]}" "${CPU_MED[dumb-init]}" "$(ratio CPU_MED)"
	row "${BENCH_ORPHANS} zombies handed over at once, reaped in ms, median (min–max)" \
		"${ZDRAIN_MED[pause]} ($(range "${ZDRAIN[pause]}"))" "${ZDRAIN_MED[catatonit]} ($(range "${ZDRAIN[catatonit]}"))" \
		"${ZDRAIN_MED[tini]} ($(range "${ZDRAIN[tini]}"))" "${ZDRAIN_MED[dumb-init]} ($(range "${ZDRAIN[dumb-init]}"))" "$(ratio ZDRAIN_MED)"
	row "init CPU time for those, ms, median" "${ZCPU_MED[pause]}" "${ZCPU_MED[catatonit]}" "${ZCPU_MED[tini]}" "${ZCPU_MED[dumb-init]}" "$(ratio ZCPU_MED)"
	echo
	echo "Runs: $BENCH_RUNS per init and mode, interleaved ($RETRIES run(s) disturbed from outside and redone)."
	echo "Raw times (ms), exit burst | zombie handover:"
	echo
	for n in "${NAMES[@]}"; do echo "- ${LABEL[$n]}:${DRAIN[$n]} |${ZDRAIN[$n]}"; done
	echo
	echo "Fork phase (not part of the measure; orphaner forking ${BENCH_ORPHANS} children), median ms:"
	for n in "${NAMES[@]}"; do printf '%s %s; ' "${LABEL[$n]}" "$(median "${FORK[$n]}")"; done
	echo
} >"$tmp/section"

cat "$tmp/section"
[ "$BENCH_OUT" = - ] && exit 0

# ---- docs/BENCHMARKS.md: replace only our section -------------------------------
begin='<!-- bench-pause:begin (generated by bench/pause/bench.sh; do not edit by hand) -->'
end='<!-- bench-pause:end -->'
if [ ! -f "$BENCH_OUT" ] || ! grep -q '^<!-- bench-pause:begin' "$BENCH_OUT"; then
	die "$BENCH_OUT has no bench-pause markers; results are above (restore the markers to record them)"
fi
awk -v b="$begin" -v e="$end" -v f="$tmp/section" '
	/^<!-- bench-pause:begin/ { print b; while ((getline l < f) > 0) print l; skip = 1; next }
	/^<!-- bench-pause:end/   { skip = 0; print e; next }
	!skip' "$BENCH_OUT" >"$tmp/out"
cp "$tmp/out" "$BENCH_OUT"
echo "bench-pause: results written to $BENCH_OUT" >&2
