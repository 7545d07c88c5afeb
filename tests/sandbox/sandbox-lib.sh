# tests/sandbox/sandbox-lib.sh — shared set-up for tests/sandbox/*.t.
# Source it after tests/lib.sh with SUBNET_OCTET set (each file its own
# 10.77.N.0/24 so files may run side by side).  It gives every file a
# private PODSANDBOX_STATE, bridge and name prefix, checks what podsandbox
# needs, and installs an EXIT trap that removes everything left behind.
# shellcheck shell=bash
# shellcheck disable=SC2034 # OUT, RC, POD_NET are for the sourcing test

need_root

: "${SUBNET_OCTET:?set SUBNET_OCTET before sourcing sandbox-lib.sh}"
T_TMP=$(mktemp -d /tmp/psb-test.XXXXXX)
export PODSANDBOX_STATE=$T_TMP/state
export PODSANDBOX_BRIDGE=pwt$$
export PODSANDBOX_SUBNET=10.77.$SUBNET_OCTET.0/24
export PODSANDBOX_GRACE=${PODSANDBOX_GRACE:-5}
: "${PODSANDBOX_PAUSE_IMAGE:=$BUILD/image/pause-oci:latest}"
: "${PODSANDBOX_WORKLOAD_IMAGE:=$BUILD/image/busybox-oci:latest}"
: "${PODSANDBOX_SHIM:=$BUILD/podsandbox-shim}"
export PODSANDBOX_PAUSE_IMAGE PODSANDBOX_WORKLOAD_IMAGE PODSANDBOX_SHIM
PREFIX=t$$
POD_NET=10.77.$SUBNET_OCTET

# psb_cleanup — what rm should have done, by force, for anything a failed
# test left: our sandboxes, runc containers, pinned netns, bridge, temp dir.
psb_cleanup() {
	local d id
	for d in "$PODSANDBOX_STATE"/sandboxes/*/; do
		[ -d "$d" ] || continue
		PODSANDBOX_GRACE=1 "$PODSANDBOX" rm "$(basename "$d")" >/dev/null 2>&1 || true
	done
	if [ -d "$PODSANDBOX_STATE/runc" ]; then
		for id in $(runc --root "$PODSANDBOX_STATE/runc" list -q 2>/dev/null); do
			runc --root "$PODSANDBOX_STATE/runc" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	for id in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^podsandbox-$PREFIX" || true); do
		ip netns delete "$id" 2>/dev/null || true
	done
	ip link delete "$PODSANDBOX_BRIDGE" 2>/dev/null || true
	rm -rf "$T_TMP"
}
on_exit 'psb_cleanup'
# A timeout (tests/run sends SIGTERM) or ^C must still run the cleanup.
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

for f in "${PODSANDBOX_PAUSE_IMAGE%:*}/index.json" "${PODSANDBOX_WORKLOAD_IMAGE%:*}/index.json"; do
	[ -f "$f" ] || bail "image ${f%/index.json} missing: run make sandbox (it builds make image)"
done
[ -x "$PODSANDBOX_SHIM" ] || bail "$PODSANDBOX_SHIM missing: run make sandbox"

# psb ARGS... — run podsandbox; stdout+stderr in $OUT, exit status in $RC
psb() {
	OUT=$("$PODSANDBOX" "$@" 2>&1) && RC=0 || RC=$?
}

# sb_dir NAME / pause_pid NAME / wl_file NAME N EXT — the state layout
sb_dir() { echo "$PODSANDBOX_STATE/sandboxes/$1"; }
pause_pid() { jq -r .pid "$(sb_dir "$1")/sandbox.json"; }
wl_file() { echo "$(sb_dir "$1")/workloads/$2/podsandbox-$1-$2.$3"; }
wl_pid() { cat "$(wl_file "$1" "$2" pid)"; }

ns_of() { readlink "/proc/$1/ns/$2"; }

# wl_done NAME N — the workload's init has been reaped by the shim
wl_done() { [ -f "$(wl_file "$1" "$2" exit)" ]; }

# host_veth NAME — the host end of the pod's veth, from the CNI ADD result
host_veth() {
	jq -r '.interfaces[] | select((.sandbox // "") == "") | select(.name | startswith("veth")) | .name' \
		"$(sb_dir "$1")/cni-result.json"
}

# left_behind NAME [VETH] — print whatever of sandbox NAME still exists
# (empty = clean).  VETH: its host veth, recorded before rm.  With no
# sandbox left in the state dir, the bridge must have no port at all.
left_behind() {
	local name=$1 veth=${2:-}
	ip netns list | awk '{print $1}' | grep -x "podsandbox-$name" | sed 's/^/netns /'
	if [ -n "$veth" ] && ip link show "$veth" >/dev/null 2>&1; then
		echo "veth $veth"
	fi
	if ! compgen -G "$PODSANDBOX_STATE/sandboxes/*" >/dev/null; then
		ip -o link show master "$PODSANDBOX_BRIDGE" 2>/dev/null | awk -F': ' '{print "bridge port " $2}'
	fi
	# (runc list creates its --root: look only when it is there)
	if [ -d "$PODSANDBOX_STATE/runc" ]; then
		runc --root "$PODSANDBOX_STATE/runc" list -q 2>/dev/null | grep "^podsandbox-$name" | sed 's/^/runc /'
	fi
	grep -E "podsandbox-$name|$PODSANDBOX_STATE" /proc/self/mountinfo | sed 's/^/mount /'
	[ -e "$(sb_dir "$name")" ] && find "$(sb_dir "$name")" | sed 's/^/file /'
	find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -name "podsandbox-$name*" 2>/dev/null | sed 's/^/cgroup /'
	return 0
}
