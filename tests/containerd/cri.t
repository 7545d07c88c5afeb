#!/usr/bin/env bash
# tests/containerd/cri.t — our pause as containerd's sandbox image, driven
# over the CRI the way the kubelet drives it.  A private containerd 1.6
# (tests/containerd/cd-lib.sh: own root, state, socket, `version = 2`
# config, CRI plugin, runc) gets our image with `ctr -n k8s.io images
# import`; then RunPodSandbox (host network, one PID namespace for the pod),
# CreateContainer/StartContainer of a busybox workload that leaves 10
# orphans, StopContainer, StopPodSandbox, RemovePodSandbox.  Checked: pause
# is PID 1 of the pod's PID namespace as uid 65535; no zombie stays;
# pausestat shows the 10 reaps (5 exit 0, 3 exit 3, 2 SIGKILL); pausetop
# attributes the namespace to the pod (pod UID, sandbox id, runtime
# containerd) and sees StopPodSandbox kill pause with SIGKILL (no SIGTERM);
# and nothing is left behind (processes, mounts, cgroups, shim sockets,
# containerd itself).
# Needs: root, make image (build/image/pause.tar, busybox-oci),
# build/pausestat, build/pausetop; scripts/deps.sh cri.
# timeout: 300
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root

: "${PAUSESTAT:=$BUILD/pausestat}"
for f in "$BUILD/image/pause.tar" "$BUILD/image/busybox-oci/index.json"; do
	[ -f "$f" ] || bail "$f missing (make image)"
done
for b in "$PAUSESTAT" "$PAUSETOP"; do
	[ -x "$b" ] || bail "$b missing (make all)"
done
# shellcheck source=tests/containerd/cd-lib.sh
. "$ROOT/tests/containerd/cd-lib.sh"

PT_PID=
test_cleanup() {
	[ -n "$PT_PID" ] && kill -TERM "$PT_PID" 2>/dev/null
	cd_cleanup
}
on_exit 'test_cleanup'
trap 'exit 143' TERM
trap 'exit 130' INT

PAUSE_IMG=localhost/pausewatch-pause:latest
BB_IMG=localhost/pausewatch-busybox:latest
POD_UID=$(cat /proc/sys/kernel/random/uuid)
# What the kubelet's cgroupfs driver passes for a BestEffort pod, under our
# private top cgroup: attrib.c reads pod<uid>/<64-hex id> as containerd's.
CG_PARENT=/$CD_CG/kubepods/besteffort/pod$POD_UID

# ---- where sandbox_image must go (docs/image.md) -----------------------------------
# `containerd config dump` prints the configuration containerd would run with.
dump_sandbox_image() { containerd --config "$1" config dump 2>&1 | sed -n 's/^ *sandbox_image = "\(.*\)"/\1/p'; }
mkdir -p "$CD_DIR/cfg"
printf '[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "%s"\n' "$PAUSE_IMG" >"$CD_DIR/cfg/v1.toml"
printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "%s"\n' "$PAUSE_IMG" >"$CD_DIR/cfg/v2.toml"
printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "%s"\n' \
	"$PAUSE_IMG" >"$CD_DIR/cfg/twice.toml"
is "$(dump_sandbox_image "$CD_DIR/cfg/v2.toml")" "$PAUSE_IMG" "config: with version = 2, sandbox_image is ours"
like "$(dump_sandbox_image "$CD_DIR/cfg/v1.toml")" '^registry.k8s.io/pause:' "config: without version = 2 the same table is ignored (the default pause image stays)"
like "$(containerd --config "$CD_DIR/cfg/twice.toml" config dump 2>&1)" "duplicated tables" \
	"config: a second [plugins.\"io.containerd.grpc.v1.cri\"] table is refused: sandbox_image goes into the existing one"

# ---- containerd ----------------------------------------------------------------
cd_start "$PAUSE_IMG"
v=$(cri version)
is "$(jq -r '.runtime_name + " " + .runtime_api_version' <<<"$v")" "containerd v1" \
	"CRI Version over $CD_SOCK: containerd, API runtime.v1"
diag "containerd $(jq -r .runtime_version <<<"$v"), config $CD_DIR/config.toml"

cd_import "$BUILD/image/pause.tar" localhost/pausewatch-pause
ok $? "ctr -n k8s.io images import --base-name localhost/pausewatch-pause build/image/pause.tar"
cd_layout_tar "$BUILD/image/busybox-oci" "$CD_DIR/busybox.tar" &&
	cd_import "$CD_DIR/busybox.tar" localhost/pausewatch-busybox
ok $? "busybox-static workload image imported the same way"
img=$(cri inspecti "$PAUSE_IMG")
is "$(jq -r '.image.uid.value' <<<"$img")" 65535 "ImageStatus: the sandbox image runs as uid 65535 (image USER)"
is "$(jq -r '.image.pinned' <<<"$img")" false "containerd 1.6 does not pin the sandbox image (docs/image.md)"

# ---- a host-network pod must not set a hostname ----------------------------------
pod_json() { # NAME HOSTNAME
	jq -n --arg name "$1" --arg host "$2" --arg uid "$POD_UID" --arg logs "$CD_DIR/logs" \
		--arg cg "$CG_PARENT" '{
		metadata: {name: $name, uid: $uid, namespace: "pwtest", attempt: 0},
		hostname: $host, log_directory: $logs,
		labels: {"io.kubernetes.pod.name": $name, "io.kubernetes.pod.uid": $uid},
		linux: {cgroup_parent: $cg, security_context: {
			namespace_options: {network: "NODE", pid: "POD", ipc: "POD"}}}}'
}
pod_json pw-hostname shop-1 >"$CD_DIR/bad-pod.json"
out=$(cri runp "$CD_DIR/bad-pod.json" 2>&1)
rc=$?
is "$rc" 1 "RunPodSandbox refuses a host-network pod with a hostname"
like "$out" "unable to set hostname without a private UTS namespace" "  runc says why: no private UTS namespace"
is "$(cri pods | jq length)" 0 "  and the failed sandbox is not left in ListPodSandbox"

# ---- pausetop runs through the whole pod's life ----------------------------------
"$PAUSETOP" --json -n 0 -d 0.5 >"$CD_DIR/pausetop.jsonl" 2>"$CD_DIR/pausetop.err" &
PT_PID=$!
wait_until 60 test -s "$CD_DIR/pausetop.jsonl"
ok $? "pausetop --json -n 0 -d 0.5 is running (BPF programs loaded)"

# ---- RunPodSandbox ---------------------------------------------------------------
pod_json pw-orphans "" >"$CD_DIR/pod.json"
SB=$(cri runp "$CD_DIR/pod.json")
like "$SB" '^[0-9a-f]{64}$' "RunPodSandbox (host network, pid POD, ipc POD) returns a sandbox id"
[ -n "$SB" ] || bail "no sandbox"
st=$(cri inspectp "$SB")
is "$(jq -r .status.state <<<"$st")" SANDBOX_READY "PodSandboxStatus: SANDBOX_READY"
PP=$(jq -r .info.info.pid <<<"$st")
[ "${PP:-0}" -gt 0 ] 2>/dev/null || bail "no pid for the sandbox in PodSandboxStatus info"
status_of() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }
is "$(cat "/proc/$PP/comm")" pause "the sandbox process (host pid $PP) is pause"
is "$(status_of "$PP" NSpid | tr -s '\t ' ' ')" "$PP 1" "pause is PID 1 of the pod's PID namespace (NSpid $PP 1)"
is "$(status_of "$PP" Uid | tr -s '\t ' ' ')" "65535 65535 65535 65535" "pause runs as uid 65535 (real, effective, saved, fs)"
is "$(status_of "$PP" Gid | tr -s '\t ' ' ')" "65535 65535 65535 65535" "pause runs as gid 65535"
is "$(status_of "$PP" NoNewPrivs)/$(status_of "$PP" Seccomp)" "1/2" "NoNewPrivs 1, Seccomp 2 (pause's own filter; the sandbox has no runtime profile)"
is "$(cat "/proc/$PP/oom_score_adj")" "$(cat "/proc/$CD_PID/oom_score_adj")" \
	"restrict_oom_score_adj: the sandbox's oom_score_adj is clamped to containerd's own"
grep -qx "0::$CG_PARENT/$SB\|[0-9]*:pids:$CG_PARENT/$SB" "/proc/$PP/cgroup"
ok $? "pause's cgroup is $CG_PARENT/<sandbox id> (cgroupfs driver)"
PIDNS=$(stat -L -c %i "/proc/$PP/ns/pid")
diag "pod $POD_UID: sandbox $SB, pause host pid $PP, pidns $PIDNS"

stat_of() { # PID FIELD — one counter from pausestat --json
	"$PAUSESTAT" "$1" --json | jq -r --arg f "$2" '[.. | objects | select(has($f)) | .[$f]] | first // "MISSING"'
}
is "$(stat_of "$PP" reaped_total)" 0 "pausestat $PP: the counters page reads, 0 reaped so far"

# ---- the workload: 10 orphans -----------------------------------------------------
# A subshell forks 5 + 3 + 2 children and exits: they are orphans of the pod's
# PID namespace, adopted by pause.  Each waits for /tmp/go, then exits 0,
# exits 3, or kills itself with SIGKILL.  The container's own process stays
# (exec sleep) until StopContainer.
wait_go='until [ -e /tmp/go ]; do sleep 0.05; done'
jq -n --arg img "$BB_IMG" --arg cmd "
	( for i in 1 2 3 4 5; do sh -c '$wait_go; exit 0' & done
	  for i in 1 2 3; do sh -c '$wait_go; exit 3' & done
	  for i in 1 2; do sh -c '$wait_go; kill -9 \$\$' & done )
	exec sleep 600" '{
	metadata: {name: "orphans", attempt: 0}, image: {image: $img},
	command: ["/bin/sh", "-c", $cmd], log_path: "orphans/0.log",
	linux: {security_context: {namespace_options: {network: "NODE", pid: "POD", ipc: "POD"}}}}' \
	>"$CD_DIR/ctr.json"
CTR=$(cri create "$SB" "$CD_DIR/ctr.json" "$CD_DIR/pod.json")
like "$CTR" '^[0-9a-f]{64}$' "CreateContainer: busybox workload in the sandbox"
cri start "$CTR"
ok $? "StartContainer"
in_pod() { cri exec "$CTR" 30 "$@"; }
adopted() { [ "$(in_pod ps -o ppid,comm | awk '$1 == 1 && $2 == "sh"' | wc -l)" -eq 10 ]; }
wait_until 60 adopted
ok $? "ps in the pod: 10 orphaned sh processes with PPID 1"
is "$(in_pod ps -o pid,user,comm | awk '$1 == 1 {print $2 " " $3}')" "65535 pause" "ps in the pod: PID 1 is pause, user 65535"

in_pod touch /tmp/go
reaped_10() { [ "$(stat_of "$PP" reaped_total)" -ge 10 ]; }
wait_until 60 reaped_10
ok $? "pause reaped the orphans after they exited"
sleep 0.3	# nothing more may arrive: exact counts below
is "$(stat_of "$PP" reaped_total)" 10 "pausestat: reaped_total 10"
is "$(stat_of "$PP" reaped_exit_zero)/$(stat_of "$PP" reaped_exit_nonzero)/$(stat_of "$PP" reaped_signaled)" \
	"5/3/2" "pausestat: 5 exit 0, 3 exit 3, 2 killed by a signal"
"$PAUSESTAT" "$PP" | grep -E '^(reaped|signals):' | while read -r l; do diag "$l"; done
ps_after=$(in_pod ps -o pid,ppid,stat,comm)
is "$(awk 'NR > 1 && $3 ~ /^Z/' <<<"$ps_after" | wc -l)" 0 "ps in the pod: no process in state Z"
is "$(awk 'NR > 1 && $2 == 1' <<<"$ps_after" | wc -l)" 0 "ps in the pod: no orphan left under pause"

# ---- pausetop's view of the pod ----------------------------------------------------
# last_ns FILTER — the namespace's object in the newest snapshot where FILTER holds
last_ns() {
	jq -c --argjson ns "$PIDNS" ".namespaces[]? | select(.pidns == \$ns) | select($1)" \
		"$CD_DIR/pausetop.jsonl" 2>/dev/null | tail -1
}
seen_all() { [ -n "$(last_ns '.orphans_by_reaper.init == 10 and .zombies == 0 and (.pause.reaped_total // 0) == 10')" ]; }
wait_until 60 seen_all
ok $? "pausetop: the pod's namespace with 10 orphans adopted by init, 0 zombies, pause page 10 reaped"
ns=$(last_ns 'true')
is "$(jq -r '[.init_pid, .init_comm] | join(" ")' <<<"$ns")" "$PP pause" "pausetop: init is pause, host pid $PP"
is "$(jq -r .pod_uid <<<"$ns")" "$POD_UID" "pausetop: pod UID from the cgroup path"
is "$(jq -r .container_id <<<"$ns")" "$SB" "pausetop: container id = the sandbox id"
is "$(jq -r .runtime <<<"$ns")" containerd "pausetop: runtime containerd"
is "$(jq -r .hostname <<<"$ns")" "$(uname -n)" "pausetop: hostname = the node's (a host-network pod shares its UTS namespace)"
is "$(jq -r '.pause.reaped | "\(.exit_zero)/\(.exit_nonzero)/\(.signaled)"' <<<"$ns")" 5/3/2 \
	"pausetop: pause's page through pausetop: 5/3/2"
is "$(jq -r '.orphans_by_reaper.init' <<<"$ns")" 10 "pausetop: exactly 10 orphans adopted by init"

# ---- StopContainer, StopPodSandbox -------------------------------------------------
cri stop "$CTR" 10
ok $? "StopContainer (timeout 10 s)"
c=$(cri inspect "$CTR")
is "$(jq -r '"\(.status.state) \(.status.exit_code)"' <<<"$c")" "CONTAINER_EXITED 143" \
	"the workload ended on SIGTERM (exit 143): it is not PID 1, the default action applies"
is "$(stat_of "$PP" signals | jq -r 'keys | join(",")')" SIGCHLD "pause received only SIGCHLD so far"
cri stopp "$SB"
ok $? "StopPodSandbox"
is "$(cri inspectp "$SB" | jq -r .status.state)" SANDBOX_NOTREADY "PodSandboxStatus: SANDBOX_NOTREADY"
wait_until 30 sh -c "! test -e /proc/$PP || ! grep -q pause /proc/$PP/comm"
ok $? "pause (host pid $PP) is gone"

# containerd 1.6 stops a sandbox with SIGKILL, never SIGTERM: in the pod's
# namespace pausetop saw one SIGTERM (StopContainer's, to sleep) and three
# SIGKILLs (the workload's two `kill -9 $$`, and the one that ended pause).
gone() { [ -n "$(last_ns '.alive == false')" ]; }
wait_until 60 gone
ok $? "pausetop reports the namespace gone (alive false) with its final counters"
ns=$(last_ns '.alive == false')
sig_total() { jq -r --arg s "$1" '[.signals_generated[$s] // {} | .[]] | add // 0' <<<"$ns"; }
is "$(sig_total SIGTERM)" 1 "pausetop: 1 SIGTERM in the pod (StopContainer's)"
is "$(sig_total SIGKILL)" 3 "pausetop: 3 SIGKILL (2 from the workload, 1 from StopPodSandbox to pause)"
is "$(jq -c .signals_ignored_by_init <<<"$ns")" "{}" "pausetop: no signal ignored by the init"
diag "signals_generated: $(jq -c .signals_generated <<<"$ns")"

# ---- RemoveContainer, RemovePodSandbox ---------------------------------------------
cri rm "$CTR" && cri rmp "$SB"
ok $? "RemoveContainer, RemovePodSandbox"
is "$(cri pods | jq length)/$(cri ps | jq length)" 0/0 "ListPodSandbox and ListContainers are empty"
kill -TERM "$PT_PID" && wait "$PT_PID"
is "$?" 0 "pausetop exits 0 on SIGTERM"
PT_PID=
cgs=$(find /sys/fs/cgroup -mindepth 2 -type d \( -name "$SB" -o -name "$CTR" \) -path "*/$CD_CG/*" | wc -l)
is "$cgs" 0 "containerd removed the sandbox's and the container's cgroups"
# The pod-level cgroups are the kubelet's to remove: do what it does.
cd_cgroups | while read -r d; do rmdir "$d"; done
cd_stop
is "$(cd_leftovers)" "" "nothing left: containerd, shims, processes, mounts, cgroups, shim sockets"

done_testing
