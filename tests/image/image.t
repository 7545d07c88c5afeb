#!/usr/bin/env bash
# tests/image/image.t — the OCI images `make image` builds: exactly what is in
# them, their config and labels, and that rebuilding gives the same digest.
# Needs: make image (build/image/), umoci, skopeo, jq.
# timeout: 180
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

IMG=$BUILD/image
for t in umoci skopeo jq tar; do
	command -v "$t" >/dev/null || bail "$t missing (scripts/deps.sh image)"
done
[ -f "$IMG/pause-oci/index.json" ] || bail "$IMG/pause-oci missing (make image)"
[ -f "$IMG/busybox-oci/index.json" ] || bail "$IMG/busybox-oci missing (make image)"

tmp=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$tmp"'

# blob LAYOUT DIGEST — path of a blob in an OCI layout
blob() { echo "$1/blobs/${2%%:*}/${2#*:}"; }
# manifest_digest LAYOUT — digest of the manifest tagged latest
manifest_digest() {
	jq -r '[.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="latest")] | if length==1 then .[0].digest else "none" end' "$1/index.json"
}

# ---- pause image -----------------------------------------------------------
P=$IMG/pause-oci
mdig=$(manifest_digest "$P")
like "$mdig" '^sha256:[0-9a-f]{64}$' "pause-oci: exactly one manifest tagged latest"
man=$(blob "$P" "$mdig")
is "$(jq -r '.layers | length' "$man")" 1 "pause image has exactly one layer"
is "$(jq -r '.layers[0].mediaType' "$man")" "application/vnd.oci.image.layer.v1.tar+gzip" "layer is an OCI gzip tar"
layer=$(blob "$P" "$(jq -r '.layers[0].digest' "$man")")
is "$(tar -tvzf "$layer" | awk '{print $1, $2, $6}')" "-rwxr-xr-x 0/0 pause" \
	"layer holds exactly one entry: /pause, 0755, owned 0:0"
tar -xOzf "$layer" pause >"$tmp/pause.from-image"
cmp -s "$tmp/pause.from-image" "$BUILD/pause"; ok $? "/pause in the image is byte-identical to $BUILD/pause"
# Static: an ELF with no program interpreter (no dynamic loader needed).
hdrs=$(readelf -lW "$tmp/pause.from-image" 2>&1)
[[ "$hdrs" == *LOAD* && "$hdrs" != *INTERP* ]]; ok $? "/pause is a static ELF (no PT_INTERP)"

cfg=$(blob "$P" "$(jq -r '.config.digest' "$man")")
is "$(jq -r '.config.User' "$cfg")" "65535:65535" "config User is 65535:65535"
is "$(jq -c '.config.Entrypoint' "$cfg")" '["/pause"]' 'config Entrypoint is ["/pause"]'
is "$(jq -c '.config.Cmd' "$cfg")" 'null' "config has no Cmd"
is "$(jq -r '.os + "/" + .architecture' "$cfg")" "linux/$(uname -m | sed -e s/x86_64/amd64/ -e s/aarch64/arm64/)" "config os/architecture"

# Labels: values come from the source tree (git) exactly as image.mk derives them.
lab() { jq -r --arg k "org.opencontainers.image.$1" '.config.Labels[$k] // "MISSING"' "$cfg"; }
epoch=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
version=$(sed -n 's/^VERSION *?= *//p' "$ROOT/Makefile")
is "$(lab title)" "pausewatch-pause" "label title"
like "$(lab description)" '^pausewatch pause: .{20,}' "label description"
is "$(lab version)" "$version" "label version = Makefile VERSION"
like "$(lab source)" '^(https://|git@|ssh://|/).+' "label source is a URL"
is "$(lab licenses)" "Apache-2.0" "label licenses"
is "$(lab created)" "$created" "label created = last commit time (SOURCE_DATE_EPOCH)"
is "$(jq -r .created "$cfg")" "$created" "config created = SOURCE_DATE_EPOCH too"
if rev=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null); then
	is "$(lab revision)" "$rev" "label revision = git HEAD"
else
	is "$(lab revision)" "MISSING" "no revision label outside git"
fi
is "$(jq -r '[.history[] | .created] | unique | join(",")' "$cfg")" "$created" "history timestamps pinned"

# The oci-archive holds the same image.
is "$(skopeo inspect --format '{{.Digest}}' "oci-archive:$IMG/pause.tar:latest" 2>&1)" "$mdig" \
	"pause.tar (oci-archive) has the same manifest digest"

# ---- reproducibility -------------------------------------------------------
# Rebuild from the same inputs, twice, with a hostile umask, a different
# TMPDIR and a binary copy with another mtime: same digest, same archive bytes.
set -a
# shellcheck source=/dev/null
. "$IMG/labels.env"
set +a
cp "$BUILD/pause" "$tmp/pause" && touch -d '2001-02-03 04:05:06' "$tmp/pause"
mkdir -p "$tmp/t1" "$tmp/t2"
(umask 077 && TMPDIR=$tmp/t1 "$ROOT/image/build-image.sh" pause "$tmp/r1" "$tmp/pause" "$tmp/r1.tar") >"$tmp/log1" 2>&1
ok $? "rebuild 1 succeeds (umask 077)"
sleep 1.1	# a different wall-clock second must not matter
(umask 002 && TMPDIR=$tmp/t2 "$ROOT/image/build-image.sh" pause "$tmp/r2" "$BUILD/pause" "$tmp/r2.tar") >"$tmp/log2" 2>&1
ok $? "rebuild 2 succeeds (umask 002, a second later)"
is "$(manifest_digest "$tmp/r1")" "$mdig" "rebuild 1: same manifest digest as make image"
is "$(manifest_digest "$tmp/r2")" "$mdig" "rebuild 2: same manifest digest as make image"
is "$(sha256sum <"$tmp/r1.tar")" "$(sha256sum <"$IMG/pause.tar")" "rebuilt oci-archive is byte-identical"
# And the digest does depend on the inputs (the test above can fail).
(SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + 1)) "$ROOT/image/build-image.sh" pause "$tmp/r3" "$BUILD/pause") >/dev/null 2>&1
isnt=$(manifest_digest "$tmp/r3")
[ "$isnt" != "$mdig" ] && [ -n "$isnt" ]; ok $? "another SOURCE_DATE_EPOCH gives another digest"

# ---- busybox workload image ------------------------------------------------
B=$IMG/busybox-oci
bdig=$(manifest_digest "$B")
like "$bdig" '^sha256:[0-9a-f]{64}$' "busybox-oci: one manifest tagged latest"
bman=$(blob "$B" "$bdig")
blayer=$(blob "$B" "$(jq -r '.layers[0].digest' "$bman")")
tar -tvzf "$blayer" >"$tmp/bb.list"
grep -qE '^-rwxr-xr-x 0/0 .* bin/busybox$' "$tmp/bb.list"; ok $? "busybox image has /bin/busybox"
for a in sh sleep ps kill; do
	grep -qE "^l.* bin/$a -> busybox\$" "$tmp/bb.list"; ok $? "busybox image has applet link /bin/$a"
done
bcfg=$(blob "$B" "$(jq -r '.config.digest' "$bman")")
is "$(jq -c '.config.Cmd' "$bcfg")" '["/bin/sh"]' "busybox image Cmd is /bin/sh"

done_testing
