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
# archive bytes).  Everything time- or host-dependent is pinned:
#   - the layer is a ustar built by GNU tar with sorted names, mtime
#     SOURCE_DATE_EPOCH, owner 0:0 numeric, explicit modes (no umask leaks);
#   - umoci adds it verbatim (`raw add-layer`), so umoci never sees host
#     mtimes or owners; gzip output carries no timestamp;
#   - config `created` and the history entry use SOURCE_DATE_EPOCH;
#   - `umoci gc` drops the blobs of intermediate states.
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

here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$here" log -1 --format=%ct 2>/dev/null || true)
	: "${SOURCE_DATE_EPOCH:=0}"
fi
[[ "$SOURCE_DATE_EPOCH" =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH='$SOURCE_DATE_EPOCH' is not a number of seconds"
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

# Our own umask and locale, whatever the caller had: modes are explicit below.
umask 022
export LC_ALL=C TZ=UTC

work=$(mktemp -d "${TMPDIR:-/tmp}/pw-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs"

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

# The layer: names sorted, every timestamp and owner pinned.  Directories get
# an explicit entry (except "."), so the tar lists exactly what we staged.
(cd "$rootfs" && find . -mindepth 1 -printf '%P\n' | sort) >"$work/list"
tar -C "$rootfs" --format=ustar --no-recursion --numeric-owner \
	--owner=0 --group=0 --mtime="@$SOURCE_DATE_EPOCH" \
	-cf "$work/layer.tar" -T "$work/list" \
	|| die "tar of the layer failed"

rm -rf "$out"
mkdir -p "$(dirname "$out")"
umoci init --layout "$out"
umoci new --image "$out:latest"
umoci raw add-layer --image "$out:latest" \
	--history.created "$created" \
	--history.created_by "pausewatch image/build-image.sh $kind" \
	"$work/layer.tar"

version=${IMAGE_VERSION:-unknown}
labels=(
	--config.label "org.opencontainers.image.created=$created"
	--config.label "org.opencontainers.image.version=$version"
	--config.label "org.opencontainers.image.licenses=Apache-2.0"
)
[ -n "${IMAGE_SOURCE:-}" ] && labels+=(--config.label "org.opencontainers.image.source=$IMAGE_SOURCE")
[ -n "${IMAGE_REVISION:-}" ] && labels+=(--config.label "org.opencontainers.image.revision=$IMAGE_REVISION")

if [ "$kind" = pause ]; then
	umoci config --image "$out:latest" --no-history --created "$created" \
		--os linux \
		--config.user 65535:65535 \
		--config.entrypoint /pause \
		--clear config.cmd \
		--config.label "org.opencontainers.image.title=pausewatch-pause" \
		--config.label "org.opencontainers.image.description=pausewatch pause: Kubernetes pod sandbox (infra) process that reaps orphans and exposes a counters page" \
		"${labels[@]}"
else
	umoci config --image "$out:latest" --no-history --created "$created" \
		--os linux \
		--config.cmd /bin/sh \
		--config.env PATH=/bin \
		--config.label "org.opencontainers.image.title=pausewatch-busybox" \
		--config.label "org.opencontainers.image.description=pausewatch test workload image: static busybox" \
		"${labels[@]}"
fi
umoci gc --layout "$out"

# The oci-archive is the layout in a tar (what `skopeo copy ... oci-archive:`
# writes), built here with pinned metadata so its bytes are reproducible too.
if [ -n "$archive" ]; then
	(cd "$out" && find . -mindepth 1 -printf '%P\n' | sort) >"$work/alist"
	mkdir -p "$(dirname "$archive")"
	tar -C "$out" --format=ustar --no-recursion --numeric-owner \
		--owner=0 --group=0 --mtime="@$SOURCE_DATE_EPOCH" \
		--mode='u=rwX,go=rX' -cf "$archive.tmp" -T "$work/alist" \
		|| die "tar of the oci-archive failed"
	mv "$archive.tmp" "$archive"
fi

digest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="latest") | .digest' "$out/index.json")
echo "built $kind image $out:latest manifest $digest${archive:+ (archive $archive)}"
