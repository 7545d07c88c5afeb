#!/usr/bin/env bash
# tests/tui/demo.t — `make demo` as the README shows it, both ways:
#  - batch (image/demo.sh -b): the text it prints has the pod (pause reaped
#    every orphan, SIGTERM blocked = taken, a stop in well under its grace)
#    and the leaky container (zombies, SIGTERM default = dropped, PIDs n/50)
#    in JSON-derived lines and in pausetop's -b table (TERM, PIDS, PAUSE),
#    the dropped SIGTERM counted after the stop, and nothing left behind;
#  - on a terminal (tmux): the demo ends in the live view with both
#    namespaces on screen; q leaves it, the demo stops and removes everything.
# Private image tag and names, so it runs beside a user's own `make demo`.
# Needs: make image, build/pausetop, build/pausestat, podman, runc, skopeo, jq; root.
# timeout: 600
# shellcheck disable=SC2317 # functions called through wait_until and trap
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tui-lib.sh
. "$(dirname "$0")/tui-lib.sh"
need_root
for t in podman runc skopeo jq tmux; do
	command -v "$t" >/dev/null || bail "$t missing (scripts/deps.sh image test)"
done
[ -f "$BUILD/image/pause-oci/index.json" ] || bail "$BUILD/image missing (make image)"
: "${PAUSESTAT:=$BUILD/pausestat}"
{ [ -x "$PAUSESTAT" ] && [ -x "$PAUSETOP" ]; } || bail "build/pausestat and build/pausetop first"
export CONTAINERS_CONF=$ROOT/image/containers.conf PAUSESTAT PAUSETOP
export PW_IMAGE_TAG=pwdemo-$$ DEMO_SUFFIX=-t$$
leftovers() {
	{ podman ps -a --format '{{.Names}}'; podman pod ps --format '{{.Name}}'; } 2>/dev/null | grep -c -- "-t$$\$"
}
cleanup() {
	podman pod rm -f -t 0 "pausewatch-demo-t$$"
	podman rm -f -t 0 "pausewatch-demo-workload-t$$" "pausewatch-demo-leaky-t$$"
	podman rmi "localhost/pausewatch-pause:$PW_IMAGE_TAG" "localhost/pausewatch-busybox:$PW_IMAGE_TAG"
	tui_cleanup
} >/dev/null 2>&1
on_exit 'cleanup'

# --- batch -------------------------------------------------------------------
out=$("$ROOT/image/demo.sh" -b 2>&1)
rc=$?
is "$rc" 0 "demo.sh -b exits 0"
[ "$rc" -eq 0 ] || diag "$(tail -20 <<<"$out")"
like "$out" "demo finished" "it says it finished"
pod=$(sed -n '/the pod, PID 1 = our pause:/,/the container whose PID 1 is sleep/p' <<<"$out")
leaky=$(sed -n '/the container whose PID 1 is sleep/,/pausetop.s table/p' <<<"$out")
like "$pod" "zombies now 0, exits [0-9]+, reaped [0-9]+, orphans adopted by init 20, SIGTERM ignored by init 0, pause page: reaped 20" \
	"pod: no zombie, 20 orphans adopted by pause, its own page counts 20 reaps"
like "$pod" "SIGTERM: blocked \(read from a signalfd: a stop is immediate\); PIDs [0-9]+/(max|[0-9]+)" \
	"pod: pause's SIGTERM is blocked (taken), PID count shown"
like "$leaky" "zombies now (2[5-9]|[3-9][0-9]), " "leaky container: 25 zombies or more"
like "$leaky" "SIGTERM: default \(no handler: the kernel drops it, a stop waits out its grace period\); PIDs (2[6-9]|[3-4][0-9]|50)/50" \
	"leaky container: SIGTERM default (dropped), PIDs n/50"
like "$leaky" "its zombie table: (2[5-9]|[3-9][0-9]) rows, e.g. pid [0-9]+ \(sleep\), parent sleep" \
	"leaky container: its zombie table"
table=$(sed -n '/pausetop.s table (pausetop -b/,/schema: docs/p' <<<"$out")
like "$table" "PIDNS +LVL +INIT COMM .* TERM +PIDS +PAUSE" "the -b table's heading has TERM, PIDS and PAUSE"
like "$table" "[0-9]+ +1 +[0-9]+ pause +pausewatch-demo-t[0-9]* +0 .* yes +[0-9]+/(max|[0-9]+) +20" \
	"-b row of the pod (hostname cut to 20 columns): 0 zombies, TERM yes, PAUSE 20"
like "$table" "[0-9]+ +1 +[0-9]+ sleep +[0-9a-f]{12} +(2[5-9]|[3-9][0-9]) .* NO +[0-9]+/50 +-" \
	"-b row of the leaky container: zombies, TERM NO, PIDS n/50"
like "$out" "The live view \(skipped: -b, or no terminal\)" "no live view in batch"
like "$out" "infra container exit code: 0, pod stopped in [0-9]+ ms" "pause exits 0 on the pod's stop"
ms=$(sed -n 's/^ *stopped in \([0-9]*\) ms$/\1/p' <<<"$out")
[ "${ms:-0}" -ge 1900 ]
ok $? "the leaky container waited out its 2 s grace period (${ms:-?} ms)"
like "$out" "pausetop kept its final values: gone, [0-9]+ exits, SIGTERM ignored by init 1" \
	"pausetop counted the SIGTERM its init dropped, and kept it after it was gone"
is "$(leftovers)" 0 "nothing left: no pod or container of this run"
podman image exists "localhost/pausewatch-pause:$PW_IMAGE_TAG"
ok $(( $? == 0 )) "the images it loaded are removed"

# --- on a terminal -------------------------------------------------------------
tmux_ new-session -d -x 120 -y 40 \
	env LANG=C.UTF-8 "$TUI_DIR/wrap.sh" "$TUI_DIR" "$ROOT/image/demo.sh" || bail "tmux did not start"
tui_wait "press Enter to start it" 180
ok $? "on a terminal the demo offers the live view"
tui_keys Enter
tui_wait '^PIDNS +INIT +HOST/POD' 60
ok $? "the live view is on screen"
# other namespaces on the machine may fill the screen: find each row with the filter
tui_keys /
tui_keys -l "pausewatch-demo"
tui_keys Enter
tui_wait " pause +pausewatch-demo.* yes " 20
ok $? "the pod's row: PID 1 pause, TERM? yes"
leaky_id=$(podman inspect --format '{{.Id}}' "pausewatch-demo-leaky-t$$" | cut -c1-12)
tui_keys /
tui_keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
tui_keys -l "$leaky_id"
tui_keys Enter
tui_wait " sleep +$leaky_id .* NO +[0-9]+/50 " 20
ok $? "the leaky container's row: PID 1 sleep, TERM? NO, PIDS n/50"
tui_keys q
tui_wait_exit 120
is "$TUI_RC" 0 "after q the demo stops both and exits 0"
like "$(tui_screen)" "demo finished" "it cleaned up and finished"
is "$(leftovers)" 0 "nothing left after the terminal run either"
done_testing
