#!/usr/bin/env bash
# deploy/build-image.sh — the pausetop container image the DaemonSet runs,
# built without Docker the way image/build-image.sh builds the pause image.
#
#   deploy/build-image.sh OUT-LAYOUT-DIR PAUSETOP-BINARY [OCI-ARCHIVE]
#
# One layer: /pausetop (0755, 0:0) and, when the binary is dynamically
# linked, exactly the shared objects `ldd` resolves for it and for the
# library it dlopens (at the paths ldd prints, so the loader finds them),
# plus empty /proc /sys /dev /etc for the runtime's mounts.
# ENTRYPOINT ["/pausetop"], no CMD (the DaemonSet gives the arguments),
# USER 0:0 (the capabilities come from the pod spec, see docs/deploy.md),
# org.opencontainers.image.* labels.
#
# Reproducible like the pause image: sorted ustar, mtime SOURCE_DATE_EPOCH,
# owner 0:0, explicit modes, umoci `raw add-layer`, pinned `created`; the
# same binary and the same libraries give the same manifest digest.
# Environment: SOURCE_DATE_EPOCH (default: last git commit time, else 0),
# IMAGE_VERSION, IMAGE_REVISION, IMAGE_SOURCE (labels; see image/image.mk).
set -euo pipefail

usage() {
	sed -n '5p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

die() { echo "deploy/build-image.sh: $*" >&2; exit 1; }

case $# in 2|3) ;; *) usage ;; esac
out=$1 bin=$2 archive=${3:-}
[ -f "$bin" ] || die "$bin: no such file (build it first: make $bin)"
for t in umoci tar jq ldd; do
	command -v "$t" >/dev/null || die "$t not found (install with: scripts/deps.sh image)"
done

# shellcheck source=image/oci-lib.sh
. "$(dirname "$0")/../image/oci-lib.sh"
oci_begin
mkdir -p "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/etc"
install -m 0755 "$bin" "$rootfs/pausetop"

# Shared objects: every absolute path ldd resolves ("name => /path (addr)"
# and the loader's own "/path (addr)" line).  A static binary has none.
ldd_paths() { ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'; }
libs=$(ldd_paths "$bin" | sort -u) || true
# ... and what it dlopens (--listen opens libmicrohttpd only when asked, see
# userspace/export_http.c), with everything that library needs in turn.
dlopened="libmicrohttpd.so.12"
if [ -n "$libs" ]; then
	for so in $dlopened; do
		grep -q -a -F "$so" "$bin" || continue	# not pausetop, or built without it
		# awk reads to the end: an early exit would SIGPIPE ldconfig (53 KB of
		# output), and pipefail would end this script without a word
		path=$(ldconfig -p | awk -v so="$so" '!path && $1 == so && $NF ~ /^\// { path = $NF } END { print path }')
		[ -n "$path" ] || die "$bin dlopens $so, which is not installed (scripts/deps.sh build)"
		# shellcheck disable=SC2086,SC2046 # one word per shared object
		libs=$(printf '%s\n' $libs "$path" $(ldd_paths "$path") | sort -u)
	done
fi
for l in $libs; do
	[ -f "$l" ] || die "ldd names $l for $bin but it is not a file"
	mkdir -p "$rootfs$(dirname "$l")"
	# the file's content, not a symlink; its mode (the loader must stay executable)
	install -m "$(stat -L -c %a "$l")" "$l" "$rootfs$l"
done
unresolved=$(ldd "$bin" 2>/dev/null | grep -c 'not found') || true
[ "$unresolved" -eq 0 ] || die "ldd $bin: $unresolved libraries not found"

oci_layout "$out" "pausewatch deploy/build-image.sh"
oci_config "$out" pausewatch-pausetop \
	"pausewatch pausetop: per-PID-namespace zombies, orphans and signals from BPF tracepoints; Prometheus exporter" \
	--config.user 0:0 --config.entrypoint /pausetop --clear config.cmd
digest=$(oci_finish "$out" "$archive")
nlibs=$(wc -w <<<"$libs")
what="static"
[ "$nlibs" -gt 0 ] && what="$nlibs shared objects"
echo "built pausetop image $out:latest manifest $digest ($what)${archive:+ (archive $archive)}"
