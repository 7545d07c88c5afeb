#!/usr/bin/env bash
# bench/export/bench-export.sh — `make bench-export`: /metrics of
# `pausetop --listen` against node_exporter --collector.processes on the same
# host, in the same run, at NS live PID namespaces and NS*PER processes
# (bench/export/nsfarm.c builds them).  Scrapes are made the way Prometheus
# makes them (scrape_timer.py: kept-alive connection, OpenMetrics first,
# gzip), ROUNDS rounds of COUNT scrapes per exporter, interleaved; then pausetop's
# plain-text scrapes, timed and their memory peak taken on their own.  Results
# replace the export section of docs/BENCHMARKS.md (between the bench-export
# markers) and go to stdout.
#
#   bench/export/bench-export.sh [NS [PER [ROUNDS [COUNT]]]]   defaults 1000 20 5 20
#
# Environment: BUILD (build), PAUSETOP ($BUILD/pausetop), NSFARM
# ($BUILD/bench/nsfarm), BENCH_OUT (docs/BENCHMARKS.md; "-" = stdout only).
set -euo pipefail

NS=${1:-1000} PER=${2:-20} ROUNDS=${3:-5} COUNT=${4:-20}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/on-exit.sh
. "$ROOT/scripts/on-exit.sh"
cd "$ROOT"
: "${BUILD:=build}"
: "${PAUSETOP:=$BUILD/pausetop}"
: "${NSFARM:=$BUILD/bench/nsfarm}"
: "${BENCH_OUT:=docs/BENCHMARKS.md}"
here=bench/export

die() { echo "bench-export: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (BPF, PID namespaces)"
for b in "$PAUSETOP" "$NSFARM"; do [ -x "$b" ] || die "$b not built (make bench-export builds it)"; done
for c in prometheus-node-exporter curl /usr/bin/python3; do
	command -v "$c" >/dev/null || die "$c missing (scripts/deps.sh bench)"
done
pid_max=$(cat /proc/sys/kernel/pid_max)
procs_now() { local p=(/proc/[0-9]*); echo ${#p[@]}; }	# a glob: find fails when entries vanish
in_use=$(procs_now)
[ $((in_use + NS * PER + 2000)) -lt "$pid_max" ] ||
	die "$((NS * PER)) more processes would not fit under kernel.pid_max $pid_max ($in_use in use)"

tmp=$(mktemp -d)
pids=()
cleanup() {
	exec 9>&- 2>/dev/null || true	# nsfarm's stdin: EOF ends it
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
on_exit 'cleanup'
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {	# wait_for SECONDS CMD...
	local end=$(($(date +%s) + $1))
	shift
	until "$@" 2>/dev/null; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.2; done
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u '+%Y-%m-%d %H:%M UTC')

# ---- the node: NS namespaces, NS*PER processes ------------------------------------------
mkfifo "$tmp/hold"
"$NSFARM" "$NS" "$PER" <"$tmp/hold" >"$tmp/farm" &
pids+=("$!")
exec 9>"$tmp/hold"
wait_for 600 grep -q '^ready' "$tmp/farm" || die "nsfarm did not get ready: $(cat "$tmp/farm")"
procs_total=$(procs_now)

# ---- the two exporters -----------------------------------------------------------------------
"$PAUSETOP" --listen 127.0.0.1:0 --node-name bench 2>"$tmp/pw.err" &
pw_pid=$!
pids+=("$pw_pid")
wait_for 120 grep -q '^pausetop: serving' "$tmp/pw.err" || die "pausetop did not start: $(cat "$tmp/pw.err")"
pw_url=$(grep -o 'http://[^ ]*/metrics' "$tmp/pw.err" | head -1)
ne_port=$(free_port)
prometheus-node-exporter --collector.disable-defaults --collector.processes \
	--web.listen-address="127.0.0.1:$ne_port" >"$tmp/ne.log" 2>&1 &
ne_pid=$!
pids+=("$ne_pid")
ne_url=http://127.0.0.1:$ne_port/metrics
wait_for 60 curl -sf -o /dev/null "$ne_url" || die "node_exporter did not start: $(tail -3 "$tmp/ne.log")"

curl -sf "$pw_url" >"$tmp/pw.prom"
curl -sf --compressed -H 'Accept-Encoding: gzip' "$ne_url" >"$tmp/ne.prom"
ns_seen=$(grep -c '^pausewatch_namespace_info{' "$tmp/pw.prom")
procs_seen=$(awk '/^pausewatch_processes\{/ {s += $2} END {print s}' "$tmp/pw.prom")
pw_series=$(grep -vc '^#' "$tmp/pw.prom")
ne_series=$(grep -vc '^#' "$tmp/ne.prom")
pw_bytes=$(wc -c <"$tmp/pw.prom")
pw_gz=$(curl -sf -H 'Accept-Encoding: gzip' "$pw_url" | wc -c)

# ---- scrapes: warm-up, then ROUNDS interleaved ---------------------------------------------
timer() { /usr/bin/python3 "$here/scrape_timer.py" "$@"; }
timer "$pw_url" 3 >/dev/null
timer "$ne_url" 3 >/dev/null
# the peak from here on: program load (libbpf reads the kernel's BTF) is not a scrape
load_hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$pw_pid/status")
echo 5 >"/proc/$pw_pid/clear_refs"
for _ in $(seq "$ROUNDS"); do
	timer "$pw_url" "$COUNT" prometheus >>"$tmp/pw.t"
	timer "$ne_url" "$COUNT" prometheus >>"$tmp/ne.t"
	curl -sf -H 'Accept-Encoding: gzip' "$pw_url" | gzip -dc |
		awk '/^pausewatch_snapshot_duration_seconds\{/ {print $2}' >>"$tmp/snap.t"
done
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pw_pid/status")
hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$pw_pid/status")
# then the plain text, whole in memory before it is sent: its own peak
echo 5 >"/proc/$pw_pid/clear_refs"
for _ in $(seq "$ROUNDS"); do
	timer "$pw_url" "$COUNT" text >>"$tmp/pwtext.t"
done
text_hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$pw_pid/status")
bad=$(awk '$2 != 200' "$tmp/pw.t" "$tmp/ne.t" "$tmp/pwtext.t" | wc -l)
[ "$bad" = 0 ] || die "$bad scrapes did not answer 200"
ne_rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$ne_pid/status")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# median and p99 (nearest rank) in ms of column 1
stat() { awk '{print $1 * 1000}' "$1" | sort -g | awk '{a[NR] = $1} END {
	m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
	r = int(NR * 0.99 + 0.999999); if (r > NR) r = NR
	printf "%.2f %.2f %d\n", m, a[r], NR }'; }
read -r pw_med pw_p99 pw_n < <(stat "$tmp/pw.t")
read -r ne_med ne_p99 ne_n < <(stat "$tmp/ne.t")
read -r pt_med pt_p99 pt_n < <(stat "$tmp/pwtext.t")
snap_med=$(awk '{print $1 * 1000}' "$tmp/snap.t" | sort -g | awk '{a[NR] = $1} END {printf "%.2f", a[int((NR + 1) / 2)]}')
ratio=$(awk -v a="$ne_med" -v b="$pw_med" 'BEGIN {printf "%.1f", a / b}')
ratio99=$(awk -v a="$ne_p99" -v b="$pw_p99" 'BEGIN {printf "%.1f", a / b}')
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

{
	echo "Run: \`make bench-export\` (part of \`make bench\`), $start."
	echo "Host: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r); load average before: $load_before; after: $load_after."
	echo "Versions: pausetop $("$PAUSETOP" --version | cut -d' ' -f2), node_exporter $(dpkg-query -W -f='${Version}' prometheus-node-exporter) (Debian)."
	echo "Exact command: \`bench/export/bench-export.sh $NS $PER $ROUNDS $COUNT\` — $NS PID namespaces × $PER processes (nsfarm), $((ROUNDS * COUNT)) scrapes per row, pausetop and node_exporter in $ROUNDS interleaved rounds."
	echo
	echo "The node: $procs_total processes in all; pausetop saw $ns_seen namespaces holding $procs_seen processes."
	echo "pausetop's exposition: $pw_series series, $pw_bytes bytes ($pw_gz gzipped); node_exporter's: $ne_series series."
	echo
	echo "| exporter, request | scrapes | median ms | p99 ms | RSS |"
	echo "|---|---:|---:|---:|---:|"
	echo "| pausetop \`--listen\`, Prometheus headers (OpenMetrics, gzip) | $pw_n | **$pw_med** | $pw_p99 | $(mb "$rss_kb") MB (peak while scraping $(mb "$hwm_kb") MB) |"
	echo "| pausetop \`--listen\`, text 0.0.4, no gzip (after the rounds above) | $pt_n | $pt_med | $pt_p99 | peak while scraping $(mb "$text_hwm_kb") MB |"
	echo "| node_exporter \`--collector.processes\`, Prometheus headers | $ne_n | **$ne_med** | $ne_p99 | $(mb "$ne_rss_kb") MB |"
	echo
	echo "pausetop's RSS peaked at $(mb "$load_hwm_kb") MB before the first scrape, while libbpf loaded the programs (it reads the kernel's BTF), and fell back."
	echo
	echo "node_exporter / pausetop: **${ratio}×** at the median, ${ratio99}× at p99. Of pausetop's median, the collector's snapshot (\`pausewatch_snapshot_duration_seconds\`, median) is $snap_med ms; the rest is rendering, gzip and HTTP."
} >"$tmp/section"
cat "$tmp/section"
[ "$BENCH_OUT" = - ] && exit 0

begin='<!-- bench-export:begin (generated by bench/export/bench-export.sh; do not edit by hand) -->'
end='<!-- bench-export:end -->'
grep -q '^<!-- bench-export:begin' "$BENCH_OUT" ||
	die "$BENCH_OUT has no bench-export markers; results are above (restore the markers to record them)"
awk -v b="$begin" -v e="$end" -v f="$tmp/section" '
	/^<!-- bench-export:begin/ { print b; while ((getline l < f) > 0) print l; skip = 1; next }
	/^<!-- bench-export:end/   { skip = 0; print e; next }
	!skip' "$BENCH_OUT" >"$tmp/out"
cp "$tmp/out" "$BENCH_OUT"
echo "bench-export: results written to $BENCH_OUT" >&2
