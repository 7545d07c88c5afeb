#!/usr/bin/env bash
# tests/containerd/daemonset.t — deploy/kubernetes/daemonset.yaml's pod, run
# by a real containerd 1.6 + runc exactly as the kubelet would run it
# (tests/containerd/kubelet_like.py turns the manifest into the CRI
# requests): hostPID, the pod's network, drop ALL + the four capabilities,
# no_new_privs, read-only root, seccomp RuntimeDefault, /sys/kernel/btf
# read-only, the memory limit.  Next to it a workload pod with its own
# hostname leaves 3 reaped orphans and 1 zombie.  Checked:
#  - the container's capability sets are exactly the manifest's, NoNewPrivs,
#    a seccomp filter, / and /sys/kernel/btf read-only, uid 0;
#  - pausetop under that context loads its programs and attributes the
#    workload pod (pod UID, sandbox id, runtime, pause page, the zombie);
#  - each capability is needed: without BPF or PERFMON pausetop cannot load,
#    without SYS_PTRACE or DAC_READ_SEARCH it could not read pause pages:
#    it exits 3 and names what is missing; the pod's hostname comes without
#    SYS_ADMIN (the BPF walk reads it);
#  - with the manifest's own arguments (--listen, --node-name) when this
#    pausetop has the exporter: /metrics answers in the pod's network;
#  - the BPF maps fit the memory limit; nothing is left behind.
# Needs: root, make image image-pausetop, build/pausestat; scripts/deps.sh cri.
# timeout: 400
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root

: "${PAUSESTAT:=$BUILD/pausestat}"
DS=$ROOT/deploy/kubernetes/daemonset.yaml
for f in "$BUILD/image/pause.tar" "$BUILD/image/busybox-oci/index.json" "$BUILD/image/pausetop.tar"; do
	[ -f "$f" ] || bail "$f missing (make image image-pausetop)"
done
[ -x "$PAUSESTAT" ] || bail "$PAUSESTAT missing (make all)"
[ -x /usr/lib/cni/loopback ] || bail "/usr/lib/cni/loopback missing (scripts/deps.sh cri)"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || bail "python3-yaml missing (scripts/deps.sh cri)"
# shellcheck source=tests/containerd/cd-lib.sh
. "$ROOT/tests/containerd/cd-lib.sh"
on_exit 'cd_cleanup'
trap 'exit 143' TERM
trap 'exit 130' INT

NODE=$(uname -n)
IMG=$(/usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]["containers"][0]["image"])' "$DS")

# ---- containerd with a pod network that stays inside the pods ---------------------------
# Pods on the pod network get their own network and UTS namespaces;
# cni-dummy gives each an eth0 (a veth pair inside the pod) and touches
# nothing on the host.
cd_start localhost/pausewatch-pause:latest
cat >"$CD_DIR/cni/10-pw-dummy.conflist" <<'EOF'
{"cniVersion": "0.4.0", "name": "pw-dummy", "plugins": [{"type": "pw-dummy"}]}
EOF
cd_import "$BUILD/image/pause.tar" localhost/pausewatch-pause &&
	cd_layout_tar "$BUILD/image/busybox-oci" "$CD_DIR/busybox.tar" &&
	cd_import "$CD_DIR/busybox.tar" localhost/pausewatch-busybox &&
	cd_import "$BUILD/image/pausetop.tar" localhost/pausewatch-pausetop
ok $? "images imported: pause, busybox, pausetop (ctr -n k8s.io images import --base-name localhost/pausewatch-pausetop)"
is "$(cri inspecti "$IMG" | jq -r '.image.repo_tags[0]')" "$IMG" "the import gives the image name daemonset.yaml uses ($IMG)"
wait_until 30 sh -c "$(declare -f cri); cri status | jq -e '.status.conditions[] | select(.type == \"NetworkReady\") | .status' >/dev/null" 2>/dev/null
ok $? "CRI status NetworkReady (the pw-dummy CNI network is loaded)"

# ---- the workload pod: its own hostname, 3 reaped orphans, 1 zombie -------------------
WL_UID=$(cat /proc/sys/kernel/random/uuid)
WL_HOST=pw-shop-$RANDOM
jq -n --arg uid "$WL_UID" --arg host "$WL_HOST" --arg logs "$CD_DIR/logs/wl" \
	--arg cg "/$CD_CG/kubepods/besteffort/pod$WL_UID" '{
	metadata: {name: $host, uid: $uid, namespace: "pwtest"}, hostname: $host, log_directory: $logs,
	linux: {cgroup_parent: $cg, security_context: {namespace_options: {network: "POD", pid: "POD", ipc: "POD"}}}}' \
	>"$CD_DIR/wl-pod.json"
# Three children of a subshell that exits: pause reaps them.  Then a child
# of the container's process, which execs sleep and never waits: a zombie.
jq -n '{metadata: {name: "shop"}, image: {image: "localhost/pausewatch-busybox:latest"},
	command: ["/bin/sh", "-c", "( for i in 1 2 3; do sh -c \"exit 4\" & done ); sleep 0.1 & exec sleep 600"],
	log_path: "shop/0.log",
	linux: {security_context: {namespace_options: {network: "POD", pid: "POD", ipc: "POD"}}}}' \
	>"$CD_DIR/wl-ctr.json"
WL_SB=$(cri runp "$CD_DIR/wl-pod.json") &&
	WL_CTR=$(cri create "$WL_SB" "$CD_DIR/wl-ctr.json" "$CD_DIR/wl-pod.json") &&
	cri start "$WL_CTR"
ok $? "workload pod $WL_HOST (pod network, shared PID namespace) and its busybox container run"
[ -n "${WL_CTR:-}" ] || bail "no workload pod: $(tail -3 "$CD_DIR/containerd.log")"
WL_PAUSE=$(cri inspectp "$WL_SB" | jq -r .info.info.pid)
WL_PIDNS=$(stat -L -c %i "/proc/$WL_PAUSE/ns/pid")
reaped3() { [ "$("$PAUSESTAT" "$WL_PAUSE" --json | jq .reaped_total)" = 3 ]; }
wait_until 60 reaped3
ok $? "workload: pause (host pid $WL_PAUSE, pidns $WL_PIDNS) reaped the 3 orphans"

# ---- the DaemonSet's pod, as the kubelet would create it -------------------------------
EX_UID=$(cat /proc/sys/kernel/random/uuid)
mkdir -p "$CD_DIR/ex"
/usr/bin/python3 "$ROOT/tests/containerd/kubelet_like.py" "$DS" pausetop "$EX_UID" "$NODE" \
	"/$CD_CG/kubepods/burstable/pod$EX_UID" "$CD_DIR/logs/ex" "$CD_DIR/ex"
ok $? "kubelet_like.py: daemonset.yaml -> PodSandboxConfig + ContainerConfig"
is "$(jq -c .linux.security_context.namespace_options "$CD_DIR/ex/pod.json")" '{"ipc":"POD","network":"POD","pid":"NODE"}' \
	"  sandbox: hostPID (pid NODE), the pod's own network"
EX_SB=$(cri runp "$CD_DIR/ex/pod.json")
like "$EX_SB" '^[0-9a-f]{64}$' "RunPodSandbox for the DaemonSet's pod"
[ -n "$EX_SB" ] || bail "no sandbox for the DaemonSet's pod"
EX_PAUSE=$(cri inspectp "$EX_SB" | jq -r .info.info.pid)
is "$(readlink "/proc/$EX_PAUSE/ns/pid")" "$(readlink /proc/self/ns/pid)" "  its PID namespace is the node's (hostPID)"

# run_variant NAME JQ-EDIT ARGS-JSON — a container from ctr.json, edited
# (capabilities) and with other arguments; sets VCTR, VPID.
run_variant() {
	jq --arg name "$1" --argjson args "$3" ".metadata.name = \$name | .log_path = \"\(\$name)/0.log\" | .args = \$args | $2" \
		"$CD_DIR/ex/ctr.json" >"$CD_DIR/ex/$1.json"
	VCTR=$(cri create "$EX_SB" "$CD_DIR/ex/$1.json" "$CD_DIR/ex/pod.json") && cri start "$VCTR"
}
# log_stream NAME STREAM — what the container wrote to STREAM.  CRI log
# lines are "TIME STREAM TAG TEXT"; containerd splits a line longer than
# 16 KiB into partial pieces (tag P) ended by a full one (tag F).
log_stream() {
	awk -v s="$2" '$2 == s { t = $3; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "");
		if (t == "P") { buf = buf $0 } else { print buf $0; buf = "" } }' \
		"$CD_DIR/logs/ex/$1/0.log" 2>/dev/null
}
log_json() { log_stream "$1" stdout; }
log_err() { log_stream "$1" stderr; }
exited() { [ "$(cri inspect "$VCTR" | jq -r .status.state)" = CONTAINER_EXITED ]; }
exit_code() { cri inspect "$VCTR" | jq -r .status.exit_code; }
wl_ns() { log_json "$1" | jq -c --argjson ns "$WL_PIDNS" '.namespaces[]? | select(.pidns == $ns)' | tail -1; }

# ---- the manifest's security context, pausetop --json running --------------------------
run_variant main '.' '["--json", "-n", "0", "-d", "1"]'
ok $? "pausetop container with the manifest's security context starts"
[ -n "${VCTR:-}" ] || bail "no pausetop container: $(tail -3 "$CD_DIR/containerd.log")"
main_ctr=$VCTR
EX_PID=$(cri inspect "$VCTR" | jq -r .info.info.pid)
seen() { [ -n "$(wl_ns main)" ]; }
wait_until 90 seen
rc=$?
ok $rc "pausetop in the container loaded its BPF programs and lists the workload's namespace"
if [ $rc -ne 0 ]; then
	diag "container: $(cri inspect "$VCTR" | jq -c '.status | {state, exit_code, reason}')"
	log_err main | head -5 | while read -r l; do diag "stderr: $l"; done
	bail "pausetop does not run under the DaemonSet's security context"
fi
status_of() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }
# CAP_DAC_READ_SEARCH 2, CAP_SYS_PTRACE 19, CAP_PERFMON 38, CAP_BPF 39
want_caps=$(printf '%016x' $(( (1 << 2) | (1 << 19) | (1 << 38) | (1 << 39) )))
kept_caps=$(printf '%016x' $(( (1 << 2) | (1 << 19) | (1 << 39) )))
# the container is granted the four; pausetop drops CAP_PERFMON once loaded
# (privs.h) and cannot clear the bounding set without CAP_SETPCAP
is "$(status_of "$EX_PID" CapBnd)" "$want_caps" "bounding = {DAC_READ_SEARCH, SYS_PTRACE, PERFMON, BPF}: the manifest's four"
wait_until 30 sh -c "grep -q '^NoNewPrivs:.*1' /proc/$EX_PID/status && grep -q '^CapEff:.*$kept_caps' /proc/$EX_PID/status"
is "$(status_of "$EX_PID" CapEff)/$(status_of "$EX_PID" CapPrm)" \
	"$kept_caps/$kept_caps" "once loaded: effective = permitted = {DAC_READ_SEARCH, SYS_PTRACE, BPF} (PERFMON dropped)"
is "$(status_of "$EX_PID" CapInh)/$(status_of "$EX_PID" CapAmb)" "0000000000000000/0000000000000000" "no inheritable or ambient capabilities"
diag "capsh --decode: $(capsh --decode="$want_caps" 2>/dev/null | sed 's/.*=//')"
is "$(status_of "$EX_PID" Uid | tr -s '\t ' ' ')" "0 0 0 0" "runs as uid 0 (runAsUser 0)"
is "$(status_of "$EX_PID" NoNewPrivs)" 1 "NoNewPrivs 1 (allowPrivilegeEscalation: false)"
is "$(status_of "$EX_PID" Seccomp)" 2 "Seccomp 2: the RuntimeDefault filter is on, and it lets bpf() and perf_event_open() through"
mnt_opts() { awk -v m="$2" '$5 == m { print $6 }' "/proc/$1/mountinfo" | tail -1; }
like "$(mnt_opts "$EX_PID" /)" '^ro(,|$)' "the root filesystem is mounted read-only"
like "$(mnt_opts "$EX_PID" /sys/kernel/btf)" '^ro(,|$)' "/sys/kernel/btf is mounted read-only"
# (runc's /sys/fs/cgroup tmpfs on a cgroup v1 host is the container's own
# and may stay rw; what matters is every cgroup hierarchy mounted in it.)
rw_cg=$(awk '{ split($0, a, " - "); split(a[2], f, " ") }
	$5 ~ "^/sys/fs/cgroup" && (f[1] == "cgroup" || f[1] == "cgroup2") && $6 ~ /^rw/ { print $5 " " $6 }' \
	"/proc/$EX_PID/mountinfo")
n_cg=$(awk '{ split($0, a, " - "); split(a[2], f, " ") } f[1] == "cgroup" || f[1] == "cgroup2"' "/proc/$EX_PID/mountinfo" | wc -l)
is "$(grep -c . <<<"$rw_cg")" 0 "no cgroup hierarchy is writable in the container ($n_cg mounted, all read-only)"
[ -z "$rw_cg" ] || diag "writable: $rw_cg"

ns=$(wl_ns main)
is "$(jq -r .pod_uid <<<"$ns")" "$WL_UID" "pausetop in the DaemonSet pod: the workload's pod UID"
is "$(jq -r '"\(.container_id) \(.runtime)"' <<<"$ns")" "$WL_SB containerd" "  its sandbox id, runtime containerd"
is "$(jq -r '"\(.init_pid) \(.init_comm)"' <<<"$ns")" "$WL_PAUSE pause" "  its init: pause, host pid $WL_PAUSE"
is "$(jq -r .pause.reaped_total <<<"$ns")" 3 "  pause's counters page read through /proc/$WL_PAUSE/fd: 3 reaped"
is "$(jq -r .zombies <<<"$ns")" 1 "  the zombie the workload left (its parent sleep never waits)"
is "$(jq -r .hostname <<<"$ns")" "$WL_HOST" "  its hostname $WL_HOST, without CAP_SYS_ADMIN (read in the BPF walk)"

# What the maps and the process cost against the memory limit.
limit=$(jq -r .linux.resources.memory_limit_in_bytes "$CD_DIR/ex/ctr.json")
mcg=$(awk -F: '$2 == "memory" || $2 == "" { print $3; exit }' "/proc/$EX_PID/cgroup")
peak=$(cat "/sys/fs/cgroup/memory$mcg/memory.max_usage_in_bytes" 2>/dev/null ||
	cat "/sys/fs/cgroup/unified$mcg/memory.peak" 2>/dev/null || cat "/sys/fs/cgroup$mcg/memory.peak" 2>/dev/null)
[ -n "$peak" ] && [ "$peak" -lt "$limit" ]
ok $? "peak memory of the container (maps included) is under the manifest's limit"
now=$(cat "/sys/fs/cgroup/memory$mcg/memory.usage_in_bytes" 2>/dev/null ||
	cat "/sys/fs/cgroup/unified$mcg/memory.current" 2>/dev/null || cat "/sys/fs/cgroup$mcg/memory.current" 2>/dev/null)
diag "memory: peak $((peak / 1024)) KiB (the verifier at load), now $((${now:-0} / 1024)) KiB, limit $((limit / 1024)) KiB; pausetop RSS $(status_of "$EX_PID" VmRSS | tr -s ' ')"

cri stop "$main_ctr" 10
is "$(VCTR=$main_ctr exit_code)" 0 "StopContainer: pausetop exits 0 on SIGTERM"
cri rm "$main_ctr"

# ---- each capability is needed ---------------------------------------------------------
minus() { printf '.linux.security_context.capabilities.add_capabilities -= ["%s"]' "$1"; }
for cap in BPF PERFMON; do
	name=no-$(tr 'A-Z_' 'a-z-' <<<"$cap")
	run_variant "$name" "$(minus "$cap")" '["--json", "-n", "1"]'
	wait_until 90 exited
	is "$(exit_code)" 3 "without CAP_$cap pausetop exits 3 (missing privileges)"
	like "$(log_err "$name")" "missing privileges" "  and says so"
	cri rm "$VCTR"
done
for cap in SYS_PTRACE DAC_READ_SEARCH; do
	name=no-$(tr 'A-Z_' 'a-z-' <<<"$cap")
	run_variant "$name" "$(minus "$cap")" '["--json", "-n", "1"]'
	wait_until 90 exited
	is "$(exit_code)" 3 "without CAP_$cap pausetop exits 3: it could not read pause pages"
	like "$(log_err "$name")" "missing capability CAP_$cap" "  and names CAP_$cap"
	cri rm "$VCTR"
done

# ---- the manifest's own arguments: the exporter ------------------------------------------
if "$PAUSETOP" --help 2>&1 | grep -q -- '--listen'; then
	run_variant exporter '.' "$(jq -c .args "$CD_DIR/ex/ctr.json")"
	port=$(jq -r '.args | index("--listen") as $i | .[$i + 1] | split(":") | last' "$CD_DIR/ex/ctr.json")
	scrape() {
		nsenter --net="/proc/$EX_PAUSE/ns/net" /usr/bin/python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=10).read().decode())' "$port" \
			>"$CD_DIR/metrics.txt" 2>/dev/null &&
			grep -q "pausewatch_namespace_info{.*pod_uid=\"$WL_UID\"" "$CD_DIR/metrics.txt"
	}
	wait_until 90 scrape
	ok $? "the manifest's arguments (--listen 0.0.0.0:$port --node-name): /metrics in the pod's network lists the workload pod"
	grep -q "pausewatch_zombies{[^}]*node=\"$NODE\"[^}]*pidns=\"$WL_PIDNS\"[^}]*} 1\|pausewatch_zombies{[^}]*pidns=\"$WL_PIDNS\"[^}]*node=\"$NODE\"[^}]*} 1" "$CD_DIR/metrics.txt"
	ok $? "  pausewatch_zombies{node=\"$NODE\",pidns=\"$WL_PIDNS\"} 1"
	cri stop "$VCTR" 10 && cri rm "$VCTR"
else
	skip "the manifest's arguments (--listen, --node-name) in the pod" "this pausetop has no --listen yet (the exporter is another branch)"
	skip "  pausewatch_zombies of the workload over /metrics" "no --listen yet"
fi

# ---- teardown ---------------------------------------------------------------------------
for sb in "$EX_SB" "$WL_SB"; do cri stopp "$sb" && cri rmp "$sb"; done
is "$(cri pods | jq length)/$(cri ps | jq length)" 0/0 "StopPodSandbox, RemovePodSandbox: no pod, no container left"
cd_cgroups | while read -r d; do rmdir "$d"; done	# the kubelet's part
cd_stop
is "$(cd_leftovers)" "" "nothing left: containerd, shims, processes, mounts (netns included), cgroups, shim sockets"

done_testing
