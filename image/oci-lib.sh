# shellcheck shell=bash
# image/oci-lib.sh — the reproducible part of building an OCI image without
# Docker, shared by image/build-image.sh (pause, busybox) and
# deploy/build-image.sh (pausetop).  Sourced; the caller defines die().
#
# Reproducible: the same inputs give the same manifest digest (and the same
# archive bytes).  Everything time- or host-dependent is pinned:
#   - the layer is a ustar built by GNU tar with sorted names, mtime
#     SOURCE_DATE_EPOCH, owner 0:0 numeric, explicit modes (no umask leaks);
#   - umoci adds it verbatim (`raw add-layer`), so umoci never sees host
#     mtimes or owners;
#   - config `created` and the history entry use SOURCE_DATE_EPOCH;
#   - `umoci gc` drops the blobs of intermediate states.

# shellcheck source=scripts/on-exit.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/on-exit.sh"

# oci_begin — pin time, umask and locale; sets SOURCE_DATE_EPOCH (default:
# the last git commit's time, else 0), created (its RFC 3339 form), work (a
# temporary directory removed on exit) and rootfs (an empty $work/rootfs).
oci_begin() {
	local repo
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
		SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || true)
		: "${SOURCE_DATE_EPOCH:=0}"
	fi
	[[ "$SOURCE_DATE_EPOCH" =~ ^[0-9]+$ ]] ||
		die "SOURCE_DATE_EPOCH='$SOURCE_DATE_EPOCH' is not a number of seconds"
	created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
	# Our own umask and locale, whatever the caller had: modes are explicit.
	umask 022
	export LC_ALL=C TZ=UTC
	work=$(mktemp -d "${TMPDIR:-/tmp}/pw-image.XXXXXX")
	# shellcheck disable=SC2016  # expanded when the shell exits
	on_exit 'rm -rf "$work"'
	rootfs=$work/rootfs
	mkdir -p "$rootfs"
}

# oci_tar DIR OUT.tar [TAR-OPTION...] — DIR's tree as a ustar: names sorted,
# every timestamp and owner pinned; directories get an explicit entry
# (except "."), so the tar lists exactly what was staged.
oci_tar() {
	local dir=$1 out=$2
	shift 2
	(cd "$dir" && find . -mindepth 1 -printf '%P\n' | sort) >"$out.list"
	tar -C "$dir" --format=ustar --no-recursion --numeric-owner \
		--owner=0 --group=0 --mtime="@$SOURCE_DATE_EPOCH" "$@" \
		-cf "$out" -T "$out.list" || die "tar of $dir failed"
	rm -f "$out.list"
}

# oci_layout OUT CREATED-BY — a new layout at OUT whose image "latest" has
# $rootfs as its one layer.
oci_layout() {
	local out=$1 by=$2
	oci_tar "$rootfs" "$work/layer.tar"
	rm -rf "$out"
	mkdir -p "$(dirname "$out")"
	umoci init --layout "$out"
	umoci new --image "$out:latest"
	umoci raw add-layer --image "$out:latest" \
		--history.created "$created" --history.created_by "$by" \
		"$work/layer.tar"
}

# oci_config OUT TITLE DESCRIPTION [UMOCI-CONFIG-OPTION...] — the config,
# with the org.opencontainers.image.* labels every image carries.
oci_config() {
	local out=$1 title=$2 description=$3 labels
	shift 3
	labels=(
		--config.label "org.opencontainers.image.title=$title"
		--config.label "org.opencontainers.image.description=$description"
		--config.label "org.opencontainers.image.created=$created"
		--config.label "org.opencontainers.image.version=${IMAGE_VERSION:-unknown}"
		--config.label "org.opencontainers.image.licenses=Apache-2.0"
	)
	[ -n "${IMAGE_SOURCE:-}" ] && labels+=(--config.label "org.opencontainers.image.source=$IMAGE_SOURCE")
	[ -n "${IMAGE_REVISION:-}" ] && labels+=(--config.label "org.opencontainers.image.revision=$IMAGE_REVISION")
	umoci config --image "$out:latest" --no-history --created "$created" --os linux \
		"$@" "${labels[@]}"
}

# oci_finish OUT [ARCHIVE] — drop intermediate blobs; with ARCHIVE also the
# oci-archive: the layout in a tar (what `skopeo copy ... oci-archive:`
# writes), with pinned metadata so its bytes are reproducible too.  Prints
# the manifest digest of "latest".
oci_finish() {
	local out=$1 archive=${2:-}
	umoci gc --layout "$out"
	if [ -n "$archive" ]; then
		mkdir -p "$(dirname "$archive")"
		oci_tar "$out" "$archive.tmp" --mode='u=rwX,go=rX'
		mv "$archive.tmp" "$archive"
	fi
	jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="latest") | .digest' "$out/index.json"
}
