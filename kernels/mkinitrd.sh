#!/usr/bin/env bash
# mkinitrd.sh — build the kernel-matrix initramfs (gzip'd newc cpio).
#
#   kernels/mkinitrd.sh OUT.cpio.gz
#
# Contents: busybox-static, /init (kernels/init.sh), /run-tests.sh, /pw.env,
# and static binaries from the environment:
#   PW_TEST_BIN (required)  the TAP test binary, copied under its own name
#   PW_PROBE    (required)  build/kernels/selftest (exit-variant facts)
#   PW_QEMU_EXIT(required)  build/kernels/qemu-exit
#   PW_PAUSE, PW_PAUSETOP   optional; copied to /pause and /pausetop
#   PW_TESTS                test names for the test binary ("all" = every test)
# The guest has no libc and no loader, so a dynamically linked binary is an
# error here rather than a confusing "not found" inside the guest.
set -euo pipefail

die() { echo "mkinitrd: $*" >&2; exit 1; }
[ $# -eq 1 ] || { echo "usage: $0 OUT.cpio.gz" >&2; exit 2; }
out=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/on-exit.sh
. "$here/../scripts/on-exit.sh"
busybox=${PW_BUSYBOX:-/bin/busybox}

# need_static PATH WHAT — PATH exists and has no ELF interpreter
need_static() {
	if [ ! -f "$1" ] || [ ! -x "$1" ]; then
		die "$2 '$1' does not exist or is not executable (build it first: make)"
	fi
	# no pipe into grep -q: its early exit can SIGPIPE readelf, and pipefail
	# would then call a dynamic binary static
	if [[ "$(readelf -lW "$1" 2>/dev/null)" == *'Requesting program interpreter'* ]]; then
		die "$2 '$1' is dynamically linked; the guest has no libc (link it with -static)"
	fi
}
need_static "$busybox" "busybox (package busybox-static)"
need_static "${PW_TEST_BIN:?PW_TEST_BIN not set}" "test binary"
need_static "${PW_PROBE:?PW_PROBE not set}" "probe"
need_static "${PW_QEMU_EXIT:?PW_QEMU_EXIT not set}" "qemu-exit"
[ -z "${PW_PAUSE:-}" ] || need_static "$PW_PAUSE" "pause"
[ -z "${PW_PAUSETOP:-}" ] || need_static "$PW_PAUSETOP" "pausetop"

root=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$root"'
mkdir -p "$root"/{bin,dev,proc,sys,tmp}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# The kernel opens /dev/console for PID 1 before devtmpfs is mounted.
mknod -m 600 "$root/dev/console" c 5 1 || die "mknod /dev/console failed (needs root)"
install -m 755 "$here/init.sh" "$root/init"
install -m 755 "$here/run-tests.sh" "$root/run-tests.sh"
install -m 755 "$PW_QEMU_EXIT" "$root/qemu-exit"
install -m 755 "$PW_PROBE" "$root/selftest"
test_name=${PW_TEST_BIN##*/}
[ "$test_name" = selftest ] || install -m 755 "$PW_TEST_BIN" "$root/$test_name"
guest_pause='' guest_pausetop=''
[ -z "${PW_PAUSE:-}" ] || { install -m 755 "$PW_PAUSE" "$root/pause"; guest_pause=/pause; }
[ -z "${PW_PAUSETOP:-}" ] || { install -m 755 "$PW_PAUSETOP" "$root/pausetop"; guest_pausetop=/pausetop; }
{
	printf 'PW_TEST_BIN=%q\n' "/$test_name"
	printf 'PW_TESTS=%q\n' "${PW_TESTS:-all}"
	printf 'PW_PAUSE=%q\n' "$guest_pause"
	printf 'PW_PAUSETOP=%q\n' "$guest_pausetop"
	printf 'PW_PROBE=%q\n' /selftest
	# telemetry_it's own knobs (which programs to force), passed through as given
	printf 'PW_TEST_ATTACH=%q\n' "${PW_TEST_ATTACH:-}"
	printf 'PW_TEST_VARIANT=%q\n' "${PW_TEST_VARIANT:-}"
} >"$root/pw.env"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) >"$out.tmp" ||
	die "cpio/gzip failed"
mv "$out.tmp" "$out"
