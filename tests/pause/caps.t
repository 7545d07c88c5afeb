#!/usr/bin/env bash
# caps.t — least privilege in pause mode: pause gives up every capability
# (effective, permitted, inheritable, ambient and, when it may, the bounding
# set) before it installs its seccomp filter, and still reaps and exits 0 on
# SIGTERM.  As root on the host (unshare, PID 1 of a new namespace), as a
# plain subreaper, as an unprivileged user, and as root in a container of
# the pause image (podman + runc).
# timeout: 300
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root

ZERO=0000000000000000
caps_of() {
	local f out=""
	for f in CapEff CapPrm CapInh CapAmb CapBnd; do out+="$(status_field "$1" $f) "; done
	echo "${out% }"
}
hardening_of() { echo "$(status_field "$1" NoNewPrivs) $(status_field "$1" Seccomp)"; }
# still_reaps LABEL: pause $PP (PID 1 of its namespace) reaps 5 orphans
still_reaps() {
	local base
	base=$(page .reaped_total)
	"$PWTEST" orphaner "$PP" 3:e0 2:s9
	wait_until 10 sh -c "$PAUSESTAT $PP --json | jq -e '.reaped_total == $((base + 5))' >/dev/null"
	ok $? "$1: 5 orphans reaped with no capability left"
}

like "$(status_field $$ CapBnd)" '^0*[1-9a-f][0-9a-f]*$' "the test runs with capabilities to give up ($(status_field $$ CapEff))"

# --- as root on the host: unshare -fp --mount-proc ---
unshare -fp --mount-proc "$PAUSE" 2>"$T/err" &
NS=$!
PIDS+=("$NS")
wait_until 5 sh -c "cat /proc/$NS/task/$NS/children | grep -q ." || bail "unshare did not start pause"
PP=$(cat "/proc/$NS/task/$NS/children")
PP=${PP// /}
PIDS+=("$PP")
wait_until 5 grep -q '^Seccomp:.*2' "/proc/$PP/status"
is "$(caps_of "$PP")" "$ZERO $ZERO $ZERO $ZERO $ZERO" "unshare, root: CapEff CapPrm CapInh CapAmb CapBnd all 0"
is "$(hardening_of "$PP")" "1 2" "unshare, root: NoNewPrivs 1, Seccomp 2"
still_reaps "unshare, root"
kill -TERM "$PP"; exit_of "$NS"
is "$RC" 0 "unshare, root: SIGTERM: exit 0"
is "$(cat "$T/err")" "Shutting down, got signal: Terminated" "unshare, root: nothing on stderr but the shutdown line"

# --- as a plain subreaper (not PID 1) ---
start_sub -s
wait_until 5 grep -q '^Seccomp:.*2' "/proc/$PP/status"
is "$(caps_of "$PP")" "$ZERO $ZERO $ZERO $ZERO $ZERO" "subreaper, root: all five capability sets 0"
kill -TERM "$PP"; exit_of "$NS"
is "$RC" 0 "subreaper, root: SIGTERM: exit 0"

# --- unprivileged: nothing to drop but the bounding set, which needs
# CAP_SETPCAP to shrink: it stays (no_new_privs makes it moot), silently ---
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PAUSE" -s 2>"$T/err" &
	PP=$! NS=$!
	PIDS+=("$PP")
	wait_until 5 grep -q '^Seccomp:.*2' "/proc/$PP/status"
	is "$(caps_of "$PP")" "$ZERO $ZERO $ZERO $ZERO $(status_field $$ CapBnd)" \
		"uid 65534: CapEff CapPrm CapInh CapAmb 0, CapBnd as inherited"
	is "$(hardening_of "$PP")" "1 2" "uid 65534: NoNewPrivs 1, Seccomp 2"
	kill -TERM "$PP"; exit_of "$NS"
	is "$RC:$(cat "$T/err")" "0:Shutting down, got signal: Terminated" "uid 65534: no warning, SIGTERM: exit 0"
else
	skip "uid 65534" "no setpriv"
fi

# --- init mode keeps them: CMD may need them, and pause signals CMD's
# processes whatever their uid ---
"$PAUSE" -s -- sleep 1000 2>"$T/err" &
PP=$! NS=$!
PIDS+=("$PP")
wait_until 5 has_page "$PP"
is "$(status_field "$PP" CapEff)" "$(status_field $$ CapEff)" "init mode: pause keeps its capabilities"
kill -TERM "$PP"; exit_of "$NS"

# --- the pause image, as root in a container (podman + runc) ---
case "$PAUSE" in
*/san/*) skip "the pause image under podman" "sanitizer pass: the image holds the musl build"
	 done_testing ;;
esac
export CONTAINERS_CONF=$ROOT/image/containers.conf
for t in podman runc skopeo; do
	command -v "$t" >/dev/null || bail "$t missing (scripts/deps.sh image)"
done
[ -f "$BUILD/image/pause-oci/index.json" ] || bail "$BUILD/image missing (make image)"
tag=pwcaps-$$-$RANDOM
PI=localhost/pausewatch-pause:$tag
ctr=pwcaps-$$-$RANDOM
podman_cleanup() {
	podman rm -f -t 0 "$ctr"
	podman rmi "$PI"
} >/dev/null 2>&1
on_exit 'podman_cleanup; cleanup'
out=$(PW_IMAGE_TAG=$tag "$ROOT/image/load-podman.sh" pause 2>&1)
rc=$?
ok $rc "image/load-podman.sh pause ($tag)"
[ $rc -eq 0 ] || diag "$out"
# seccomp=unconfined: a filter seen on pause is then the one it installed
podman run -d --name "$ctr" --runtime runc --user 0 --security-opt seccomp=unconfined "$PI" >/dev/null
ok $? "podman run --user 0 $PI"
hpid=$(podman inspect "$ctr" --format '{{.State.Pid}}')
[ "${hpid:-0}" -gt 0 ] || bail "no host pid for the container"
PP=$hpid
wait_until 10 grep -q '^Seccomp:.*2' "/proc/$PP/status"
is "$(status_field "$PP" Uid)" 0 "container: pause runs as root (uid 0)"
is "$(caps_of "$PP")" "$ZERO $ZERO $ZERO $ZERO $ZERO" "container, root: CapEff CapPrm CapInh CapAmb CapBnd all 0"
is "$(hardening_of "$PP")" "1 2" "container, root: NoNewPrivs 1, Seccomp 2 (its own filter)"
still_reaps "container, root"
podman stop -t 10 "$ctr" >/dev/null
is "$(podman inspect "$ctr" --format '{{.State.ExitCode}}')" 0 "container: podman stop (SIGTERM): exit code 0"
like "$(podman logs "$ctr" 2>&1)" '^Shutting down, got signal: Terminated$' "container: its log is the shutdown line only"
done_testing
