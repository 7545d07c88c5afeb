#!/usr/bin/env bash
# tests/image/pod.t — our pause image as podman's pod infra container, with
# real podman + runc: a workload container leaves orphans in the shared PID
# namespace, pause adopts and reaps every one of them (ps shows no zombie,
# the counters page counts them exactly), `podman pod stop` ends it with
# exit 0, and it runs hardened (no_new_privs, its own seccomp filter, and the
# image's uid 65535 wherever the engine honours the image USER).
# Needs: make image, build/pausestat, podman, runc, skopeo, jq; root.
# timeout: 300
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root

: "${PAUSESTAT:=$BUILD/pausestat}"
export CONTAINERS_CONF=$ROOT/image/containers.conf
for t in podman runc skopeo jq; do
	command -v "$t" >/dev/null || bail "$t missing (scripts/deps.sh image)"
done
[ -f "$BUILD/image/pause-oci/index.json" ] || bail "$BUILD/image missing (make image)"
[ -x "$PAUSESTAT" ] || bail "$PAUSESTAT missing (make $BUILD/pausestat)"

# Private names: never touch the user's :latest images or other pods.
tag=pwtest-$$
PI=localhost/pausewatch-pause:$tag
BI=localhost/pausewatch-busybox:$tag
pod=pwtest-pod-$$
work=pwtest-work-$$
solo=pwtest-solo-$$
cleanup() {
	podman pod rm -f -t 0 "$pod"
	podman rm -f -t 0 "$work"
	podman rm -f -t 0 "$solo"
	podman rmi "$PI"
	podman rmi "$BI"
} >/dev/null 2>&1
on_exit 'cleanup'

# stat_of PID FIELD — one counter from pausestat --json (wherever it nests)
stat_of() {
	"$PAUSESTAT" "$1" --json | jq -r --arg f "$2" \
		'[.. | objects | select(has($f)) | .[$f]] | first // "MISSING"'
}
status_of() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }
# in_pod CMD... — run a command in the workload container (the pod's PID ns)
in_pod() { podman exec "$work" "$@"; }

# ---- load -----------------------------------------------------------------
out=$(PW_IMAGE_TAG=$tag "$ROOT/image/load-podman.sh" 2>&1)
rc=$?
ok $rc "image/load-podman.sh loads both images into podman"
[ $rc -eq 0 ] || diag "$out"
want=$(skopeo inspect --format '{{.Digest}}' "oci:$BUILD/image/pause-oci:latest")
is "$(podman image inspect --format '{{.Digest}}' "$PI")" "$want" "podman holds the same manifest digest"

# ---- pod with our pause as infra ---------------------------------------------
# seccomp=unconfined for the infra: any seccomp filter seen on pause is then
# one pause installed itself.
podman pod create --name "$pod" --infra-image "$PI" --share pid,ipc,uts,net \
	--security-opt seccomp=unconfined >/dev/null \
	&& podman pod start "$pod" >/dev/null
ok $? "podman pod create --infra-image $PI --share pid,ipc,uts,net; pod start"
infra=$(podman pod inspect "$pod" --format '{{.InfraContainerID}}')
is "$(podman inspect "$infra" --format '{{.OCIRuntime}}')" runc "infra container runs under runc"
is "$(podman inspect "$infra" --format '{{.Path}}')" /pause "infra runs the image entrypoint /pause"
hpid=$(podman inspect "$infra" --format '{{.State.Pid}}')
[ "${hpid:-0}" -gt 0 ] || bail "no host pid for the infra container"
is "$(cat "/proc/$hpid/comm")" pause "host pid $hpid is pause"
is "$(status_of "$hpid" NoNewPrivs)" 1 "pause set no_new_privs itself (NoNewPrivs 1)"
is "$(status_of "$hpid" Seccomp)" 2 "pause installed its own seccomp filter (Seccomp 2, engine filter off)"
diag "infra Uid: $(status_of "$hpid" Uid) (podman 4.x clears the image USER of infra containers; see docs/image.md)"

base_total=$(stat_of "$hpid" reaped_total)
like "$base_total" '^[0-9]+$' "pausestat $hpid --json reads the counters page from the host"
base_zero=$(stat_of "$hpid" reaped_exit_zero)
base_nz=$(stat_of "$hpid" reaped_exit_nonzero)
base_sig=$(stat_of "$hpid" reaped_signaled)

# ---- a workload that leaves 10 orphans ---------------------------------------
# A subshell forks 5 + 3 + 2 children and exits at once, so they are orphans
# of the shared PID namespace whose init is pause.  Each waits for /tmp/go,
# then exits 0, exits 3, or kills itself with SIGKILL.  The main process
# stays (exec sleep) so the runtime does not kill the container's processes.
wait_for_go='until [ -e /tmp/go ]; do sleep 0.05; done'
podman run -d --pod "$pod" --name "$work" "$BI" sh -c "
	( for i in 1 2 3 4 5; do sh -c '$wait_for_go; exit 0' & done
	  for i in 1 2 3; do sh -c '$wait_for_go; exit 3' & done
	  for i in 1 2; do sh -c '$wait_for_go; kill -9 \$\$' & done )
	exec sleep 600" >/dev/null
ok $? "workload container from $BI joins the pod"

adopted() { [ "$(in_pod ps -o ppid,comm | awk '$1 == 1 && $2 == "sh"' | wc -l)" -eq 10 ]; }
wait_until 30 adopted
ok $? "ps in the pod: 10 orphaned sh processes with PPID 1 (adopted by pause)"
is "$(in_pod ps -o pid,comm | awk '$1 == 1 {print $2}')" pause "ps in the pod: PID 1 is pause"

in_pod touch /tmp/go
reaped_all() { [ "$(stat_of "$hpid" reaped_total)" -ge $((base_total + 10)) ]; }
wait_until 30 reaped_all
ok $? "pause reaped the orphans after they exited"
sleep 0.3	# nothing more may arrive: exact counts below
is "$(stat_of "$hpid" reaped_total)" $((base_total + 10)) "counters: reaped_total +10 exactly"
is "$(stat_of "$hpid" reaped_exit_zero)" $((base_zero + 5)) "counters: reaped_exit_zero +5"
is "$(stat_of "$hpid" reaped_exit_nonzero)" $((base_nz + 3)) "counters: reaped_exit_nonzero +3"
is "$(stat_of "$hpid" reaped_signaled)" $((base_sig + 2)) "counters: reaped_signaled +2 (SIGKILL)"

ps_after=$(in_pod ps -o pid,ppid,stat,comm)
diag "ps in the pod after the orphans exited:"
while read -r l; do diag "  $l"; done <<<"$ps_after"
is "$(awk 'NR > 1 && $3 ~ /^Z/' <<<"$ps_after" | wc -l)" 0 "ps in the pod: no process in state Z"
is "$(awk 'NR > 1 && $2 == 1' <<<"$ps_after" | wc -l)" 0 "ps in the pod: no orphan left under pause"

# ---- stop --------------------------------------------------------------------
podman pod stop -t 10 "$pod" >/dev/null
ok $? "podman pod stop"
is "$(podman inspect "$infra" --format '{{.State.ExitCode}}')" 0 "pause exited 0 on the stop signal (not killed after the timeout)"
[ ! -e "/proc/$hpid" ] || [ "$(cat "/proc/$hpid/comm" 2>/dev/null)" != pause ]
ok $? "pause process $hpid is gone"

# ---- the image's USER, where the engine honours it ----------------------------
# podman applies the image USER to ordinary containers (containerd does to
# sandboxes), so run the same image as a plain container with default security.
podman run -d --name "$solo" "$PI" >/dev/null
ok $? "podman run $PI (plain container)"
spid=$(podman inspect "$solo" --format '{{.State.Pid}}')
[ "${spid:-0}" -gt 0 ] && wait_until 10 test -r "/proc/$spid/status"
is "$(status_of "$spid" Uid | tr -s '\t ' ' ')" "65535 65535 65535 65535" "pause runs as uid 65535 (real, effective, saved, fs)"
is "$(status_of "$spid" Gid | tr -s '\t ' ' ')" "65535 65535 65535 65535" "pause runs as gid 65535"
is "$(status_of "$spid" NoNewPrivs)" 1 "NoNewPrivs 1"
is "$(status_of "$spid" Seccomp)" 2 "Seccomp 2"
like "$(stat_of "$spid" reaped_total)" '^[0-9]+$' "counters page readable while pause runs as uid 65535"
podman stop -t 10 "$solo" >/dev/null
is "$(podman inspect "$solo" --format '{{.State.ExitCode}}')" 0 "podman stop: exit 0"

done_testing
