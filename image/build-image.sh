#!/usr/bin/env bash
# image/build-image.sh — build pausewatch's OCI images without Docker.
#
#   image/build-image.sh pause   OUT-LAYOUT-DIR PAUSE-BINARY [OCI-ARCHIVE]
#   image/build-image.sh busybox OUT-LAYOUT-DIR BUSYBOX-BINARY
#
# pause:   one layer holding only /pause (0755, 0:0); ENTRYPOINT ["/pause"],
#          USER 65535:65535, org.opencontainers.image.* labels.  With
#          OCI-ARCHIVE also writes an oci-archive tar of the layout.
# busybox: the workload image the tests and the demo use: /bin/busybox plus
#          a symlink per applet (sh, sleep, ps, ...); runs as root, CMD sh.
#
# Reproducible: the same inputs give the same manifest digest (and the same
# archive bytes); how, in image/oci-lib.sh.
# Environment: SOURCE_DATE_EPOCH (default: last git commit time, else 0),
# IMAGE_VERSION, IMAGE_REVISION, IMAGE_SOURCE (labels; see image/image.mk).
set -euo pipefail

usage() {
	sed -n '3,6p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

die() { echo "build-image.sh: $*" >&2; exit 1; }

[ $# -ge 3 ] || usage
kind=$1 out=$2 bin=$3 archive=${4:-}
case "$kind" in pause|busybox) ;; *) usage ;; esac
[ -f "$bin" ] || die "$bin: no such file (build it first: make $bin)"
for t in umoci tar jq gzip; do
	command -v "$t" >/dev/null || die "$t not found (install with: scripts/deps.sh image)"
done

# shellcheck source=image/oci-lib.sh
. "$(dirname "$0")/oci-lib.sh"
oci_begin

# stage_pause / stage_busybox — lay out the root filesystem of the layer.
stage_pause() {
	install -m 0755 "$bin" "$rootfs/pause"
}

stage_busybox() {
	local applets a
	mkdir -p "$rootfs/bin"
	install -m 0755 "$bin" "$rootfs/bin/busybox"
	# Every applet this busybox knows, so `podman run ... ps` just works.
	applets=$("$bin" --list) || die "$bin --list failed: is it a busybox binary?"
	for a in $applets; do
		[ "$a" = busybox ] || ln -s busybox "$rootfs/bin/$a"
	done
	# Directories the runtime mounts over; present so the layer owns their mode.
	mkdir -p "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/tmp" "$rootfs/etc"
	chmod 1777 "$rootfs/tmp"
}

"stage_$kind"

oci_layout "$out" "pausewatch image/build-image.sh $kind"
if [ "$kind" = pause ]; then
	oci_config "$out" pausewatch-pause \
		"pausewatch pause: Kubernetes pod sandbox (infra) process that reaps orphans and exposes a counters page" \
		--config.user 65535:65535 --config.entrypoint /pause --clear config.cmd
else
	oci_config "$out" pausewatch-busybox "pausewatch test workload image: static busybox" \
		--config.cmd /bin/sh --config.env PATH=/bin
fi
digest=$(oci_finish "$out" "$archive")
echo "built $kind image $out:latest manifest $digest${archive:+ (archive $archive)}"
