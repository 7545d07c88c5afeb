# tests/containerd/cd-lib.sh — a private containerd for tests/containerd/*.t.
# Source it after tests/lib.sh.  It gives the test its own containerd (root,
# state dir, socket, runc root, opt dir, CNI conf dir, all under one temp dir),
# the CRI client `cri` (tests/containerd/minicri.py over stubs generated here
# from cri_subset.proto), and cd_cleanup for the test's EXIT trap, which
# removes whatever is left.
#
#   cd_start SANDBOX_IMAGE   write the config and start containerd
#   cd_import TAR NAME       ctr -n k8s.io images import --base-name NAME TAR
#   cd_layout_tar DIR OUT    an OCI layout directory as a tar ctr imports
#   cri VERB ARGS...         the CRI client (see minicri.py)
#   cd_stop                  SIGTERM containerd, wait for it
#   cd_leftovers             print everything of this containerd still there
#
# Every cgroup a pod gets is under /$CD_CG (a kubelet-style parent below it),
# so leftovers are easy to find and no real kubepods tree is touched.
# shellcheck shell=bash
# shellcheck disable=SC2034 # CD_* are for the sourcing test

need_root
for t in containerd ctr runc /usr/bin/python3; do
	command -v "$t" >/dev/null || bail "$t missing (scripts/deps.sh cri)"
done
/usr/bin/python3 -c 'import grpc, grpc_tools, google.protobuf' 2>/dev/null \
	|| bail "python3-grpcio, python3-grpc-tools or python3-protobuf missing (scripts/deps.sh cri)"

CD_DIR=$(mktemp -d /tmp/pw-cd.XXXXXX)
CD_SOCK=$CD_DIR/containerd.sock
CD_CG=pw-cd-$$-$RANDOM
CD_PID=
# containerd 1.6 puts shim sockets in /run/containerd/s whatever its state
# dir is (the path is compiled in): note what is there before we start.
CD_RUN_EXISTED=0
[ -d /run/containerd ] && CD_RUN_EXISTED=1
cd_shim_sockets() { find /run/containerd/s -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort; }
CD_S_BEFORE=$(cd_shim_sockets)

cri() {
	/usr/bin/python3 "$ROOT/tests/containerd/minicri.py" --sock "$CD_SOCK" --stubs "$CD_DIR/stubs" "$@"
}

# cd_config SANDBOX_IMAGE — the config this host needs (docs/deploy.md):
#  - version = 2, everything private to CD_DIR;
#  - restrict_oom_score_adj: root here lacks CAP_SYS_RESOURCE, so the
#    sandbox's default oom_score_adj (-998) could not be set;
#  - cgroupfs driver (SystemdCgroup = false): no systemd runs as PID 1;
#  - runc's state under CD_DIR (Root), netns mounts under the state dir;
#  - CNI plugins and configs from CD_DIR (never /etc/cni, /opt/cni).
cd_config() {
	cat >"$CD_DIR/config.toml" <<CONF
version = 2
root = "$CD_DIR/root"
state = "$CD_DIR/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
                    "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "$CD_SOCK"

[ttrpc]
  address = "$CD_SOCK.ttrpc"

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$CD_DIR/opt"
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$1"
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          BinaryName = "$(command -v runc)"
          Root = "$CD_DIR/runc"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$CD_DIR/cni-bin"
      conf_dir = "$CD_DIR/cni"
CONF
}

cd_start() {
	mkdir -p "$CD_DIR/stubs" "$CD_DIR/cni" "$CD_DIR/cni-bin" "$CD_DIR/logs"
	# CNI plugins: the standard loopback (containerd always runs it) and
	# cni-dummy, a pod `eth0` (veth pair inside the pod), nothing on the host.  A test
	# that wants the pod network writes a conflist naming "pw-dummy".
	ln -s /usr/lib/cni/loopback "$CD_DIR/cni-bin/loopback"
	ln -s "$ROOT/tests/containerd/cni-dummy" "$CD_DIR/cni-bin/pw-dummy"
	/usr/bin/python3 -m grpc_tools.protoc -I"$ROOT/tests/containerd" \
		--python_out="$CD_DIR/stubs" --grpc_python_out="$CD_DIR/stubs" cri_subset.proto \
		|| bail "protoc could not generate the CRI stubs from cri_subset.proto"
	cd_config "$1"
	containerd --config "$CD_DIR/config.toml" >"$CD_DIR/containerd.log" 2>&1 &
	CD_PID=$!
	wait_until 60 cri version >/dev/null || {
		diag "$(tail -20 "$CD_DIR/containerd.log")"
		bail "containerd did not answer on $CD_SOCK within 60 s"
	}
}

cd_import() {
	ctr -a "$CD_SOCK" -n k8s.io images import --base-name "$2" "$1" >/dev/null
}

# An OCI layout directory as a tar: what `ctr images import` reads.
cd_layout_tar() {
	tar -C "$1" -cf "$2" .
}

cd_stop() {
	[ -n "$CD_PID" ] || return 0
	kill -TERM "$CD_PID" 2>/dev/null
	wait "$CD_PID" 2>/dev/null
	CD_PID=
}

# Host pids whose command line names our socket: containerd's shims.
# (Read with builtins: a grep for the path would find itself.)
cd_shim_pids() {
	local d a args
	for d in /proc/[0-9]*; do
		mapfile -d '' args 2>/dev/null <"$d/cmdline" || continue
		for a in "${args[@]}"; do
			[ "$a" = "$CD_SOCK" ] && { echo "${d#/proc/}"; break; }
		done
	done
}

# Every cgroup directory of ours, deepest first, in every hierarchy.
cd_cgroups() {
	find /sys/fs/cgroup -maxdepth 2 -type d -name "$CD_CG" -print0 2>/dev/null \
		| xargs -0 -r -I{} find {} -depth -type d
}

# Processes still in our cgroups.
cd_cgroup_pids() {
	cd_cgroups | while read -r d; do cat "$d/cgroup.procs" 2>/dev/null; done | sort -un
}

cd_new_shim_sockets() {
	comm -13 <(echo "$CD_S_BEFORE") <(cd_shim_sockets) | grep -v '^$'
}

# Print one line per thing still there; nothing = clean.
cd_leftovers() {
	local p
	[ -n "$CD_PID" ] && kill -0 "$CD_PID" 2>/dev/null && echo "containerd $CD_PID still running"
	for p in $(cd_shim_pids); do echo "shim $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; done
	for p in $(cd_cgroup_pids); do echo "process $p in our cgroups: $(cat "/proc/$p/comm" 2>/dev/null)"; done
	awk -v d="$CD_DIR/" 'index($5, d) == 1 { print "mount " $5 }' /proc/self/mountinfo
	cd_cgroups | sed 's/^/cgroup /'
	cd_new_shim_sockets | sed 's|^|shim socket /run/containerd/s/|'
}

cd_cleanup() {
	local p m
	if [ -n "$CD_PID" ] && [ -S "$CD_SOCK" ]; then
		for p in $(cri pods 2>/dev/null | jq -r '.[].id' 2>/dev/null); do
			cri stopp "$p" >/dev/null 2>&1
			cri rmp "$p" >/dev/null 2>&1
		done
	fi
	[ -n "$CD_PID" ] && kill -KILL "$CD_PID" 2>/dev/null
	for p in $(cd_shim_pids) $(cd_cgroup_pids); do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	awk -v d="$CD_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r \
		| while read -r m; do umount -l "$m" 2>/dev/null; done
	cd_cgroups | while read -r m; do rmdir "$m" 2>/dev/null; done
	for m in $(cd_new_shim_sockets); do rm -f "/run/containerd/s/$m"; done
	if [ "$CD_RUN_EXISTED" = 0 ]; then
		rmdir /run/containerd/s /run/containerd 2>/dev/null
	fi
	rm -rf "$CD_DIR"
}
