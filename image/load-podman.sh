#!/usr/bin/env bash
# image/load-podman.sh — put pausewatch's OCI images into podman's storage.
#
#   image/load-podman.sh [pause|busybox]...      (default: both)
#
# Copies $BUILD/image/pause-oci:latest   -> localhost/pausewatch-pause:latest
#        $BUILD/image/busybox-oci:latest -> localhost/pausewatch-busybox:latest
# with `skopeo copy oci:DIR:latest containers-storage:NAME`; no registry and
# no Docker engine involved.  Build the layouts first with `make image`.
# Environment: BUILD (default: <repo>/build), PW_IMAGE_DIR (default:
# $BUILD/image) to load layouts from elsewhere, PW_IMAGE_TAG (default:
# latest) to load under another tag (tests use a private one).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=$ROOT/build}"
: "${PW_IMAGE_DIR:=$BUILD/image}"
: "${PW_IMAGE_TAG:=latest}"
: "${CONTAINERS_CONF:=$ROOT/image/containers.conf}"
export CONTAINERS_CONF

die() { echo "load-podman.sh: $*" >&2; exit 1; }

command -v skopeo >/dev/null || die "skopeo not found (install with: scripts/deps.sh image)"
[ $# -gt 0 ] || set -- pause busybox

for kind in "$@"; do
	case "$kind" in
	pause|busybox) ;;
	*) echo "usage: $0 [pause|busybox]..." >&2; exit 2 ;;
	esac
	dir=$PW_IMAGE_DIR/$kind-oci
	name=localhost/pausewatch-$kind:$PW_IMAGE_TAG
	[ -f "$dir/index.json" ] || die "$dir: not an OCI layout (run: make image)"
	skopeo copy --quiet "oci:$dir:latest" "containers-storage:$name" \
		|| die "skopeo copy oci:$dir:latest -> containers-storage:$name failed"
	echo "loaded $name ($(skopeo inspect --format '{{.Digest}}' "oci:$dir:latest"))"
done
