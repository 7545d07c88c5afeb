#!/usr/bin/env bash
# fetch-kernel.sh — resolve a Debian kernel package, download and unpack it into
# a cache outside the repository, and print "RELEASE IMAGE PACKAGE VERSION".
#
#   kernels/fetch-kernel.sh SPEC
#
# SPEC is one of
#   meta:PKG       a metapackage; its first linux-image-<digit>... dependency
#                  (e.g. meta:linux-image-cloud-amd64 -> linux-image-6.1.0-56-cloud-amd64)
#   pattern:REGEX  the highest version among package names matching REGEX
#                  (apt-cache search --names-only), so the ABI number may move
#   PKG            an exact package name
# A resolved name gets "-unsigned" appended when that package exists (same
# kernel, no dependency on the signed-image tooling).
#
# Cache: $PW_KERNEL_CACHE (default /var/cache/pausewatch/kernels):
#   debs/NAME_VERSION_amd64.deb      what apt-get download fetched
#   NAME_VERSION/                    dpkg-deb -x of it (boot/vmlinuz-RELEASE)
# Once a .deb is cached, nothing touches the network.  A download that fails
# is an error (exit 1), never a skip.
set -euo pipefail

CACHE=${PW_KERNEL_CACHE:-/var/cache/pausewatch/kernels}
die() { echo "fetch-kernel: $*" >&2; exit 1; }
[ $# -eq 1 ] || { echo "usage: $0 meta:PKG | pattern:REGEX | PKG" >&2; exit 2; }
spec=$1

# resolve SPEC — print one exact package name (no -unsigned handling yet)
resolve() {
	case "$1" in
	meta:*)
		apt-cache depends "${1#meta:}" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
		;;
	pattern:*)
		apt-cache search --names-only "${1#pattern:}" 2>/dev/null |
			awk '{ print $1 }' | sort -V | tail -1
		;;
	*) echo "$1" ;;
	esac
}

# pkg_version NAME — candidate version, empty when apt does not know NAME
pkg_version() {
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

updated=0
# refresh — apt-get update, once per run: lists may be missing or stale
# (security updates move the ABI number and drop old .debs from the mirror).
refresh() {
	[ "$updated" = 0 ] || return 1
	updated=1
	echo "fetch-kernel: $1; running apt-get update" >&2
	apt-get update -qq >&2 || die "apt-get update failed (no network?); cannot fetch '$spec'"
}

# pick — set name and version from $spec
pick() {
	name=$(resolve "$spec")
	if { [ -z "$name" ] || [ -z "$(pkg_version "$name")" ]; } &&
	   refresh "'$spec' is not in the package lists"; then
		name=$(resolve "$spec")
	fi
	[ -n "$name" ] || die "'$spec' resolves to no package (check: apt-cache depends/search)"
	case "$name" in
	*-unsigned) ;;
	*) [ -z "$(pkg_version "$name-unsigned")" ] || name=$name-unsigned ;;
	esac
	version=$(pkg_version "$name")
	[ -n "$version" ] || die "package '$name' (from '$spec') has no installable version"
	# apt-get download names files NAME_VERSION_ARCH.deb, ':' escaped as %3a.
	deb=$(find "$CACHE/debs" -maxdepth 1 -name "${name}_${version//:/%3a}_*.deb" | head -1)
}

# download — apt-get download $name=$version into the cache; sets deb
download() {
	local tmp
	echo "fetch-kernel: downloading $name $version into $CACHE/debs" >&2
	tmp=$(mktemp -d "$CACHE/debs/.dl.XXXXXX") || return 1
	# apt drops privileges to _apt for downloads and warns when that user
	# cannot write the target directory; hand it the temp dir.
	chown _apt "$tmp" 2>/dev/null || true
	if ! (cd "$tmp" && apt-get download -qq "$name=$version" >&2) ||
	   ! mv "$tmp"/*.deb "$CACHE/debs/"; then
		rm -rf "$tmp"
		return 1
	fi
	rmdir "$tmp"
	deb=$(find "$CACHE/debs" -maxdepth 1 -name "${name}_${version//:/%3a}_*.deb" | head -1)
	[ -n "$deb" ]
}

mkdir -p "$CACHE/debs" || die "cannot create cache $CACHE (set PW_KERNEL_CACHE)"
pick
if [ -z "$deb" ] && ! download; then
	refresh "downloading $name=$version failed" ||
		die "apt-get download $name=$version failed (network?)"
	pick
	[ -n "$deb" ] || download || die "apt-get download $name=$version failed (network?)"
fi

dir=$CACHE/${name}_${version}
if [ ! -f "$dir/.extracted" ]; then
	rm -rf "$dir"
	dpkg-deb -x "$deb" "$dir" || die "dpkg-deb -x $deb failed (corrupt download? delete it and retry)"
	touch "$dir/.extracted"
fi
image=$(find "$dir/boot" -maxdepth 1 -name 'vmlinuz-*' 2>/dev/null | head -1)
[ -n "$image" ] || die "$deb contains no boot/vmlinuz-*"
release=${image##*/vmlinuz-}
config=$dir/boot/config-$release
if [ -f "$config" ] && ! grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$config"; then
	echo "fetch-kernel: warning: $release has no CONFIG_DEBUG_INFO_BTF; pausetop will exit 4 there" >&2
fi
echo "$release $image $name $version"
