#!/bin/sh
# /init of the kernel-matrix initramfs (kernels/mkinitrd.sh): PID 1 of a
# Debian kernel booted by kernels/matrix.sh under qemu.  Mounts what the BPF
# tests need, runs /run-tests.sh, and hands its status to qemu through the
# isa-debug-exit port (qemu exits (rc << 1) | 1).  If that fails, power off:
# qemu then exits 0, which the host never counts as a pass.
/bin/busybox --install -s /bin
export PATH=/bin HOME=/ TERM=dumb

m() {
	mkdir -p "$3" 2>/dev/null
	mount -t "$1" "$2" "$3" || echo "PW| # mount -t $1 $3 failed"
}
m proc proc /proc
m sysfs sysfs /sys
m devtmpfs devtmpfs /dev
m tracefs tracefs /sys/kernel/tracing	# tp/ programs find event ids here
m bpf bpf /sys/fs/bpf
m cgroup2 cgroup2 /sys/fs/cgroup
m tmpfs tmpfs /tmp
m tmpfs tmpfs /dev/shm

# shellcheck source=/dev/null  # written by mkinitrd.sh
. /pw.env
export PW_TEST_BIN PW_TESTS PW_PAUSE PW_PAUSETOP PW_PROBE PW_TEST_ATTACH PW_TEST_VARIANT
/run-tests.sh
rc=$?
/qemu-exit "$rc"
echo "=== PW-KMATRIX qemu-exit failed; powering off"
poweroff -f
