#!/usr/bin/env bash
# image/demo.sh — what `make demo` shows: a podman pod whose infra container
# is our pause, a workload that leaves orphans behind, pause reaping them
# (no zombies in the pod) and counting them (its counters page, read from
# the host with pausestat); next to it a container whose PID 1 is not an
# init: it leaks zombies into its pids limit and ignores SIGTERM.  On a
# terminal the demo ends in pausetop's live view of both (q leaves it);
# then both are stopped — pause at once, the other after its whole grace
# period — and everything the demo created is removed.
#
#   image/demo.sh [-b]       (run by `make demo`, which builds what it needs;
#                             make demo DEMO_ARGS=-b)
#
#   -b   batch: no live view, print what pausetop saw as text (also what it
#        does when stdin or stdout is not a terminal); the tests use this
#
# The demo is a list of steps (STEPS below), each a function that narrates
# what it does; add a step by writing a function and naming it in STEPS.
# Environment: BUILD (default <repo>/build), PAUSESTAT (default
# $BUILD/pausestat), PAUSETOP (default $BUILD/pausetop), DEMO_ORPHANS
# (default 20), DEMO_PIDS_LIMIT (default 50), PW_IMAGE_TAG (default latest:
# the tag the images are loaded under), DEMO_SUFFIX (appended to the pod and
# container names, so a test can run beside a user's demo).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/on-exit.sh
. "$ROOT/scripts/on-exit.sh"
cd "$ROOT"
: "${BUILD:=$ROOT/build}"
: "${PAUSESTAT:=$BUILD/pausestat}"
: "${PAUSETOP:=$BUILD/pausetop}"
: "${DEMO_ORPHANS:=20}"
: "${DEMO_PIDS_LIMIT:=50}"
: "${PW_IMAGE_TAG:=latest}"
: "${DEMO_SUFFIX:=}"
export CONTAINERS_CONF=$ROOT/image/containers.conf BUILD PW_IMAGE_TAG

usage() { sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; }
BATCH=0
while getopts bh opt; do
	case $opt in
	b) BATCH=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { echo "demo.sh: unexpected argument '$1' (try -h)" >&2; exit 2; }
# the live view needs a terminal on both ends
{ [ -t 0 ] && [ -t 1 ]; } || BATCH=1

PAUSE_IMAGE=localhost/pausewatch-pause:$PW_IMAGE_TAG
BUSYBOX_IMAGE=localhost/pausewatch-busybox:$PW_IMAGE_TAG
POD=pausewatch-demo$DEMO_SUFFIX
WORK=pausewatch-demo-workload$DEMO_SUFFIX
LEAKY=pausewatch-demo-leaky$DEMO_SUFFIX	# PID 1 is sleep: never reaps, drops SIGTERM
LEAKY_NS=
TOP_LOG=
TOP_PID=
INFRA_PID=
INFRA_ID=
LOADED=()	# images this demo put into podman (removed again at the end)

if [ -t 1 ]; then B=$'\e[1m' D=$'\e[2m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'; else B='' D='' G='' R='' N=''; fi
step_no=0
say()  { step_no=$((step_no + 1)); printf '\n%s==> %d. %s%s\n' "$B" "$step_no" "$*" "$N"; }
note() { printf '    %s\n' "$*"; }
run()  { printf '    %s$ %s%s\n' "$D" "$*" "$N"; "$@" 2>&1 | sed 's/^/      /'; return "${PIPESTATUS[0]}"; }
# runsh 'PIPELINE' — like run, for a shell pipeline shown as written
runsh() { printf '    %s$ %s%s\n' "$D" "$1" "$N"; bash -o pipefail -c "$1" 2>&1 | sed 's/^/      /'; return "${PIPESTATUS[0]}"; }
die()  { printf '%sdemo: %s%s\n' "$R" "$*" "$N" >&2; exit 1; }
in_pod() { podman exec "$WORK" "$@"; }

cleanup() {
	local rc=$? img
	printf '\n%s==> cleaning up%s\n' "$B" "$N"
	podman pod rm -f -t 0 "$POD" >/dev/null 2>&1 || true
	podman rm -f -t 0 "$WORK" >/dev/null 2>&1 || true
	podman rm -f -t 0 "$LEAKY" >/dev/null 2>&1 || true
	if [ -n "$TOP_PID" ]; then kill "$TOP_PID" 2>/dev/null; wait "$TOP_PID" 2>/dev/null || true; fi
	[ -n "$TOP_LOG" ] && rm -f "$TOP_LOG"
	for img in "${LOADED[@]}"; do podman rmi "$img" >/dev/null 2>&1 || true; done
	note "removed pod $POD, its containers${LOADED[*]:+ and the images loaded for the demo}"
	[ "$rc" -eq 0 ] && printf '%sdemo finished%s\n' "$G" "$N" || printf '%sdemo failed (exit %d)%s\n' "$R" "$rc" "$N"
	exit "$rc"
}

# ---- steps ------------------------------------------------------------------

step_check() {
	say "Checking the tools"
	local t
	for t in podman runc skopeo jq; do
		command -v "$t" >/dev/null || die "$t missing: run scripts/deps.sh image"
	done
	[ -x "$PAUSESTAT" ] || die "$PAUSESTAT missing: run make $PAUSESTAT"
	[ -x "$PAUSETOP" ] || die "$PAUSETOP missing: run make $PAUSETOP"
	[ "$(id -u)" -eq 0 ] || die "the demo runs podman as root (reads /proc of other users' processes): run it as root"
	note "podman $(podman version --format '{{.Client.Version}}'), runc $(runc --version | awk 'NR==1{print $3}'), CONTAINERS_CONF=${CONTAINERS_CONF#"$ROOT"/}"
	# A pod left over from an interrupted demo would block the names.
	podman pod rm -f -t 0 "$POD" >/dev/null 2>&1 || true
	podman rm -f -t 0 "$LEAKY" >/dev/null 2>&1 || true
}

step_load() {
	say "Loading the OCI images into podman (no registry, no Docker)"
	local img
	for img in "$PAUSE_IMAGE" "$BUSYBOX_IMAGE"; do
		podman image exists "$img" || LOADED+=("$img")
	done
	run "$ROOT/image/load-podman.sh" || die "loading the images failed"
	note "$PAUSE_IMAGE holds one file, /pause ($(stat -c %s "$BUILD/pause") bytes, static), USER 65535:65535"
}

step_pod() {
	say "Starting a pod whose infra (sandbox) container is our pause"
	run podman pod create --name "$POD" --infra-image "$PAUSE_IMAGE" --share pid,ipc,uts,net \
		|| die "podman pod create failed"
	run podman pod start "$POD" >/dev/null || die "podman pod start failed"
	INFRA_ID=$(podman pod inspect "$POD" --format '{{.InfraContainerID}}')
	INFRA_PID=$(podman inspect "$INFRA_ID" --format '{{.State.Pid}}')
	note "the containers of this pod share one PID namespace; its PID 1 is pause"
	note "pause is host PID $INFRA_PID; from /proc/$INFRA_PID/status:"
	grep -E '^(State|Uid|NoNewPrivs|Seccomp|VmRSS):' "/proc/$INFRA_PID/status" | sed 's/^/      /'
	note "(uid: podman 4 starts infra containers as root whatever the image says;"
	note " containerd honours the image's USER 65535:65535 for its sandboxes)"
}

step_orphans() {
	local n=$DEMO_ORPHANS third=$((DEMO_ORPHANS / 4))
	say "Running a workload that leaves $n orphans behind"
	note "a subshell forks $n children and exits at once; the children now have no"
	note "parent, so the kernel hands them to the namespace's PID 1: pause."
	note "$((n - 2 * third)) will exit 0, $third exit 1, $third are killed with SIGKILL, after 2 s."
	run podman run -d --pod "$POD" --name "$WORK" "$BUSYBOX_IMAGE" sh -c "
		( i=0; while [ \$i -lt $((n - 2 * third)) ]; do sh -c 'sleep 2; exit 0' & i=\$((i+1)); done
		  i=0; while [ \$i -lt $third ]; do sh -c 'sleep 2; exit 1' & i=\$((i+1)); done
		  i=0; while [ \$i -lt $third ]; do sh -c 'sleep 2; kill -9 \$\$' & i=\$((i+1)); done )
		exec sleep 3600" >/dev/null || die "podman run failed"
	sleep 0.5
	local ps
	ps=$(in_pod ps -o pid,ppid,stat,comm)
	note "ps inside the pod, right after (first lines):"
	head -8 <<<"$ps" | sed 's/^/      /'
	note "  ... $(($(wc -l <<<"$ps") - 1)) processes in all; $(awk '$2 == 1' <<<"$ps" | wc -l) have PPID 1: adopted by pause"
}

step_reaped() {
	say "Waiting for the orphans to exit: does anything stay a zombie?"
	local zombies
	for _ in $(seq 50); do
		[ "$(in_pod ps -o ppid | awk '$1 == 1' | wc -l)" -eq 0 ] && break
		sleep 0.2
	done
	run podman exec "$WORK" ps -o pid,ppid,stat,comm
	zombies=$(in_pod ps -o stat | grep -c '^Z' || true)
	if [ "$zombies" -eq 0 ]; then
		note "${G}no process in state Z: pause reaped every orphan${N}"
	else
		note "${R}$zombies zombie(s) left${N}"
	fi
}

step_counters() {
	say "What pause counted (its counters page, read from the host)"
	note "pause keeps its counters in a sealed memfd; pausestat reads it via /proc/$INFRA_PID/fd:"
	run "${PAUSESTAT#"$ROOT"/}" "$INFRA_PID" || die "pausestat failed"
	note "the same as JSON, for scripts and monitoring:"
	runsh "${PAUSESTAT#"$ROOT"/} $INFRA_PID --json | jq -c ." || die "pausestat --json failed"
}

step_watch() {
	say "Starting pausetop: BPF on the kernel's exit and signal tracepoints"
	TOP_LOG=$(mktemp)
	"$PAUSETOP" --json -n 0 -d 0.5 >"$TOP_LOG" 2>&1 &
	TOP_PID=$!
	for _ in $(seq 100); do [ -s "$TOP_LOG" ] && break; sleep 0.1; done
	kill -0 "$TOP_PID" 2>/dev/null || die "pausetop did not start: $(cat "$TOP_LOG")"
	note "pausetop --json -n 0 -d 0.5 runs in the background; its counters count from now,"
	note "and it sees every PID namespace on this machine, pods or not"
}

step_leaky() {
	say "Beside the pod: a container whose PID 1 is not an init"
	note "PID 1 is 'sleep 3600': it never waits for a child and has no SIGTERM handler."
	note "A loop in it leaves orphans behind: 25 at once, then one every 3 s; each goes to"
	note "sleep, dies, and stays a zombie, holding its PID. The container may have $DEMO_PIDS_LIMIT PIDs."
	run podman run -d --name "$LEAKY" --pids-limit "$DEMO_PIDS_LIMIT" "$BUSYBOX_IMAGE" sh -c '
		( i=0; while [ $i -lt 25 ]; do (sleep 1 &); i=$((i+1)); done
		  while :; do (sleep 1 &); sleep 3; done ) &
		exec sleep 3600' >/dev/null || die "podman run failed"
	local pid zombies=0
	pid=$(podman inspect "$LEAKY" --format '{{.State.Pid}}')
	LEAKY_NS=$(stat -L -c %i "/proc/$pid/ns/pid")
	for _ in $(seq 100); do
		zombies=$(ps -o stat= --ppid "$pid" | awk '/^Z/ {n++} END {print n + 0}')
		[ "$zombies" -ge 25 ] && break
		sleep 0.2
	done
	note "ps inside it (first lines):"
	podman exec "$LEAKY" ps -o pid,ppid,stat,comm | head -6 | sed 's/^/      /'
	note "  ... $zombies zombies so far, all children of PID 1 (host pid $pid), and counting"
}

# The newest complete JSON snapshot (the last line may be half written).
last_json() { grep '^{' "$TOP_LOG" | tail -2 | jq -cR 'fromjson? // empty' | tail -1; }
# A jq filter over it (one namespace by pidns or init pid, its zombies).
ns_json() { last_json | jq -c "$1"; }

# What pausetop saw: the pod from its last snapshot; the container without an
# init too, with the new columns (SIGTERM disposition, PID pressure).
step_top() {
	say "What pausetop saw"
	sleep 1.2
	local fmt pod leaky
	fmt='"      pidns \(.pidns)  PID 1 \(.init_comm)\(if .alive then "" else " [gone: final values]" end)\n        zombies now \(.zombies), exits \(.exits_total), reaped \(.reaped_total), orphans adopted by init \(.orphans_by_reaper.init), SIGTERM ignored by init \(.signals_ignored_by_init.SIGTERM // 0), pause page: \(if .pause then "reaped \(.pause.reaped_total)" else "none" end)\n        SIGTERM: \(.init_dispositions.SIGTERM // "unknown")\(if .init_drops_sigterm then " (no handler: the kernel drops it, a stop waits out its grace period)" elif .init_dispositions.SIGTERM == "blocked" then " (read from a signalfd: a stop is immediate)" else "" end); PIDs \(if .pids == null then "unknown" elif .pids.max == null then "\(.pids.current)/max" else "\(.pids.current)/\(.pids.max)" end)"'
	pod=$(ns_json ".namespaces[] | select(.init_pid == $INFRA_PID)" | jq -r "$fmt")
	leaky=$(ns_json ".namespaces[] | select(.pidns == $LEAKY_NS and .alive)" | jq -r "$fmt")
	note "the pod, PID 1 = our pause:"
	printf '%s\n' "$pod"
	note "the container whose PID 1 is sleep (pids limit $DEMO_PIDS_LIMIT):"
	printf '%s\n' "$leaky"
	ns_json "[.zombies[] | select(.pidns == $LEAKY_NS)] | select(length > 0)" | jq -r \
		'"      its zombie table: \(length) rows, e.g. pid \(.[0].pid_in_ns) (\(.[0].comm)), parent \(.[0].parent_comm), waiting \(.[0].age_seconds * 10 | floor / 10) s"'
	note "the same two in a new pausetop's table (pausetop -b: its counters start now, its gauges are right at once):"
	local pod_ns table
	pod_ns=$(stat -L -c %i "/proc/$INFRA_PID/ns/pid")
	table=$("$PAUSETOP" -b 2>&1) || die "pausetop -b failed: $table"
	awk -v a="$pod_ns" -v b="$LEAKY_NS" 'NR == 3 || $1 == a || $1 == b' <<<"$table" | sed 's/^/      /'
	note "(schema: docs/json-schema.md; every namespace: build/pausetop -b)"
}

step_live() {
	if [ "$BATCH" = 1 ]; then
		say "The live view (skipped: -b, or no terminal)"
		note "on a terminal: build/pausetop   (q quits; see man -l userspace/pausetop.8)"
		return
	fi
	say "pausetop's live view"
	note "Both namespaces are on screen: the pod (PAUSE counts pause's reaps, TERM? yes)"
	note "and the leaky container (ZOMB climbing, OLDEST turning yellow then red, TERM? NO,"
	note "PIDS filling up to $DEMO_PIDS_LIMIT). Keys: arrows or j/k move, Enter drills into a"
	note "namespace (its zombies, orphans, signals, dispositions), Esc back, / filters,"
	note "< > sort, ? help.  ${B}q quits and the demo cleans up.${N}"
	printf '    press Enter to start it '
	read -r _ || true
	"$PAUSETOP" --tui || die "pausetop --tui failed"
}

step_stop() {
	say "Stopping both: pause exits 0 on SIGTERM at once; sleep never sees it"
	local t0 t1 pid
	t0=$(date +%s%N)
	run podman pod stop -t 10 "$POD" >/dev/null || die "podman pod stop failed"
	t1=$(date +%s%N)
	note "infra container exit code: $(podman inspect "$INFRA_ID" --format '{{.State.ExitCode}}'), pod stopped in $(( (t1 - t0) / 1000000 )) ms"
	note "the leaky container: podman sends SIGTERM, the kernel drops it (PID 1 has no"
	note "handler), podman waits its whole timeout (2 s here) and then kills it:"
	t0=$(date +%s%N)
	run podman stop -t 2 "$LEAKY" >/dev/null || die "podman stop failed"
	t1=$(date +%s%N)
	note "stopped in $(( (t1 - t0) / 1000000 )) ms"
	sleep 1.2
	last_json | jq -r --argjson n "$LEAKY_NS" \
		'.namespaces[] | select(.pidns == $n) | "    pausetop kept its final values: \(if .alive then "alive" else "gone" end), \(.exits_total) exits, SIGTERM ignored by init \(.signals_ignored_by_init.SIGTERM // 0)"'
}

# The demo, in order.  Insert a step by name.
STEPS=(step_check step_load step_watch step_pod step_orphans step_reaped step_counters step_leaky step_top
       step_live step_stop)

on_exit 'cleanup'
printf '%spausewatch demo%s — our pause as the sandbox of a podman pod (runtime runc)\n' "$B" "$N"
for s in "${STEPS[@]}"; do "$s"; done
