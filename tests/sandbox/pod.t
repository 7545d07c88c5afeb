#!/usr/bin/env bash
# tests/sandbox/pod.t — a pod built by hand: pause from our image under runc
# with a CNI bridge network, two workload containers joined to it.  They
# share pause's net, IPC and UTS namespaces (not PID: no --share-pid), talk
# over the shared loopback, both see hostname NAME, and the pod address
# answers from the host side of the bridge.
# timeout: 180
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
SUBNET_OCTET=101
# shellcheck source=tests/sandbox/sandbox-lib.sh
. "$(dirname "$0")/sandbox-lib.sh"

NAME=$PREFIX-pod

psb run "$NAME" --net
is "$RC" 0 "run $NAME --net exits 0"
[ "$RC" -eq 0 ] || { diag "$OUT"; bail "sandbox did not start"; }
P=$(pause_pid "$NAME")
like "$OUT" "address: $POD_NET\\.2/24 on eth0" "run prints the pod address"
like "$OUT" "  $POD_NET\\.0/24 dev eth0 proto kernel scope link src $POD_NET\\.2" "run prints the pod's route"
like "$OUT" "[0-9]+ +net +/run/netns/podsandbox-$NAME" "run prints the pinned net namespace"

# --- pause as the sandbox container -----------------------------------------
is "$(cat "/proc/$P/comm")" pause "runc started pause (comm)"
is "$(awk '/^Uid:/ {print $2 "/" $3}' "/proc/$P/status")" "65535/65535" "pause runs as uid 65535"
is "$(awk '/^Gid:/ {print $2}' "/proc/$P/status")" 65535 "pause runs as gid 65535"
is "$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$P/status")" 1 "pause has no_new_privs"
is "$(awk '/^CapEff:/ {print $2}' "/proc/$P/status")" 0000000000000000 "pause has no capabilities"
is "$(awk '/^NSpid:/ {print $NF}' "/proc/$P/status")" 1 "pause is PID 1 of its own pid namespace"
is "$(nsenter --uts="/proc/$P/ns/uts" hostname)" "$NAME" "pause's hostname is NAME"
is "$(awk '$5 == "/" {print $6}' "/proc/$P/mountinfo" | cut -d, -f1)" ro "pause's root is mounted read-only"
for t in net ipc uts pid mnt; do
	[ "$(ns_of "$P" "$t")" != "$(ns_of 1 "$t")" ]
	ok $? "pause has its own $t namespace"
done
is "$(stat -L -c %i "/run/netns/podsandbox-$NAME")" "$(stat -L -c %i "/proc/$P/ns/net")" \
	"/run/netns/podsandbox-$NAME pins pause's network namespace"
is "$(jq -r '.ips[0].address' "$(sb_dir "$NAME")/cni-result.json")" "$POD_NET.2/24" "CNI ADD result kept in the state dir"
is "$(ip -o -4 addr show dev "$PODSANDBOX_BRIDGE" | awk '{print $4}')" "$POD_NET.1/24" "bridge $PODSANDBOX_BRIDGE is the gateway $POD_NET.1"
is "$(nsenter --net="/proc/$P/ns/net" ip -o link show lo | grep -c 'state UNKNOWN')" 1 "loopback is up in the pod (CNI loopback)"
is "$(nsenter --net="/proc/$P/ns/net" ip -4 route show default)" "" "no default route: pod traffic cannot leave the machine"

# --- two workloads ------------------------------------------------------------
# 1: serves its own hostname on 127.0.0.1:8080; 2: fetches it over loopback.
psb join "$NAME" -- sh -c 'mkdir -p /www && hostname >/www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www'
is "$RC" 0 "join workload 1 (httpd on 127.0.0.1:8080)"
W1=$(wl_pid "$NAME" 1)
wait_until 30 nsenter --net="/proc/$P/ns/net" sh -c "ss -ltn | grep -q '127.0.0.1:8080'"
ok $? "workload 1 listens on 127.0.0.1:8080 inside the pod"
psb join "$NAME" -- sh -c 'hostname; wget -q -O - http://127.0.0.1:8080/; exec sleep 1000'
is "$RC" 0 "join workload 2 (client)"
like "$OUT" "^workload podsandbox-$NAME-2: pid [0-9]+ \(pid 1 in its pid namespace\)$" "join prints id and pids"
W2=$(wl_pid "$NAME" 2)
for t in net ipc uts; do
	is "$(ns_of "$W1" "$t")" "$(ns_of "$P" "$t")" "workload 1 shares pause's $t namespace"
	is "$(ns_of "$W2" "$t")" "$(ns_of "$P" "$t")" "workload 2 shares pause's $t namespace"
done
for t in pid mnt; do
	[ "$(ns_of "$W1" "$t")" != "$(ns_of "$P" "$t")" ] && [ "$(ns_of "$W2" "$t")" != "$(ns_of "$P" "$t")" ] &&
		[ "$(ns_of "$W1" "$t")" != "$(ns_of "$W2" "$t")" ]
	ok $? "each workload has its own $t namespace (no --share-pid)"
done
wait_until 30 sh -c "[ \$(wc -l <'$(wl_file "$NAME" 2 log)') -ge 2 ]"
is "$(cat "$(wl_file "$NAME" 2 log)")" "$NAME
$NAME" "workload 2 sees hostname NAME and fetched workload 1's hostname (NAME) over the shared loopback"

# --- from the host side of the bridge -----------------------------------------
busybox ping -c 1 -W 5 "$POD_NET.2" >/dev/null 2>&1
ok $? "the pod address $POD_NET.2 answers ping from the host"
psb join "$NAME" -- nc -l -p 9000 -e /bin/hostname
is "$RC" 0 "join workload 3 (nc on :9000 that answers with the hostname)"
wait_until 30 nsenter --net="/proc/$P/ns/net" sh -c "ss -ltn | grep -q ':9000'"
is "$(busybox nc "$POD_NET.2" 9000 </dev/null)" "$NAME" "host -> $POD_NET.2:9000 over the bridge reaches the pod (answers NAME)"

psb show "$NAME"
is "$RC" 0 "show exits 0"
like "$OUT" "^sandbox $NAME: pause pid $P, runc id podsandbox-$NAME, state running" "show: pause pid and state"
like "$OUT" "hostname: $NAME" "show: hostname"
like "$OUT" "host side: veth[0-9a-f]+ on bridge $PODSANDBOX_BRIDGE, gateway $POD_NET\.1" "show: the host side of the veth"
like "$OUT" "podsandbox-$NAME-2 pid $W2 running" "show: the workloads"
psb ls
like "$OUT" "$NAME +$P +running +$POD_NET\\.2/24 +3" "ls shows name, pause pid, state, address, workloads"

# --- rm -----------------------------------------------------------------------
V=$(host_veth "$NAME")
is "$(ip -o link show master "$PODSANDBOX_BRIDGE" | awk -F': ' '{print $2}' | cut -d@ -f1)" "$V" \
	"the pod's host veth $V is the bridge's one port"
# The leftovers check must see each kind of thing while the pod exists.
before=$(left_behind "$NAME" "$V")
for kind in "netns podsandbox-$NAME" "veth $V" "runc podsandbox-$NAME" "mount .*/run/netns/podsandbox-$NAME" \
	"file $(sb_dir "$NAME")/sandbox.json" "cgroup /sys/fs/cgroup/([a-z_,=]+/)?podsandbox-$NAME"; do
	grep -qE "^$kind" <<<"$before"
	ok $? "before rm, the leftovers check sees: $kind"
done
psb rm "$NAME"
is "$RC" 0 "rm exits 0"
like "$OUT" "pause $P: exited 0 — \"Shutting down, got signal: Terminated\"" "rm reports pause exited 0 on SIGTERM"
# Without --share-pid a workload is PID 1 of its own namespace: SIGTERM with
# no handler is ignored there, so rm has to SIGKILL after the grace period.
like "$OUT" "workload podsandbox-$NAME-2: killed 9 \(SIGKILL\)" "rm SIGKILLed workload 2 (sleep as PID 1 ignores SIGTERM)"
like "$OUT" "network podsandbox: released $POD_NET\\.2/24" "rm released the address (CNI DEL)"
is "$(left_behind "$NAME" "$V")" "" "rm left nothing behind (netns, veth, bridge port, runc, mounts, files, cgroups)"
[ ! -e "/proc/$P" ] && [ ! -e "/proc/$W1" ] && [ ! -e "/proc/$W2" ]
ok $? "pause and workloads are gone"
! ip link show "$PODSANDBOX_BRIDGE" >/dev/null 2>&1
ok $? "the last sandbox took bridge $PODSANDBOX_BRIDGE with it"
is "$(find "$PODSANDBOX_STATE" -mindepth 1)" "" "the state directory is empty"
done_testing
