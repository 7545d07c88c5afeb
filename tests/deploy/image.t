#!/usr/bin/env bash
# tests/deploy/image.t — the pausetop image the DaemonSet runs (`make
# image-pausetop`, deploy/build-image.sh): its config (ENTRYPOINT
# /pausetop, USER 0:0, labels), its one layer (/pausetop byte-identical to
# the binary, plus the shared objects ldd names when the binary is dynamic,
# and libmicrohttpd, which it dlopens, with its own), that the binary runs
# from the unpacked root filesystem alone (chroot), that libmicrohttpd loads
# there, and that a rebuild from the same inputs gives the same digest and
# archive.
# Needs: root (umoci unpack, chroot), make image-pausetop.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root

L=$BUILD/image/pausetop-oci
A=$BUILD/image/pausetop.tar
if [ ! -f "$L/index.json" ] || [ ! -f "$A" ]; then bail "$L or $A missing (make image-pausetop)"; fi
[ -f "$BUILD/image/labels.env" ] || bail "$BUILD/image/labels.env missing (make image-pausetop)"
for t in umoci skopeo jq; do command -v "$t" >/dev/null || bail "$t missing (scripts/deps.sh image)"; done
BIN=$BUILD/pausetop
T=$(mktemp -d /tmp/pw-dimage.XXXXXX)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$T"'

cfg=$(skopeo inspect --config "oci:$L:latest" | jq -c .config)
is "$(jq -c '[.Entrypoint, .Cmd, .User]' <<<"$cfg")" '[["/pausetop"],null,"0:0"]' "config: ENTRYPOINT [/pausetop], no CMD, USER 0:0"
is "$(jq -r '.Labels["org.opencontainers.image.title"] + " " + .Labels["org.opencontainers.image.version"]' <<<"$cfg")" \
	"pausewatch-pausetop $("$BIN" --version | awk '{print $2}')" "labels: title pausewatch-pausetop, version of the binary"
is "$(skopeo inspect "oci:$L:latest" | jq '.Layers | length')" 1 "one layer"

umoci raw unpack --image "$L:latest" "$T/rootfs" 2>/dev/null
ok $? "umoci raw unpack"
cmp -s "$T/rootfs/pausetop" "$BIN"
ok $? "/pausetop is byte-identical to $BIN"
is "$(stat -c '%a %u:%g' "$T/rootfs/pausetop")" "755 0:0" "/pausetop: 0755, 0:0"
ldd_paths() { ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'; }
libs=$(ldd_paths "$BIN" | sort -u)
# --listen dlopens libmicrohttpd (userspace/export_http.c): it and its closure come along
mhd=$(ldconfig -p | awk '$1 == "libmicrohttpd.so.12" && $NF ~ /^\// { print $NF; exit }')
# shellcheck disable=SC2086,SC2046 # one word per shared object
[ -n "$libs" ] && libs=$(printf '%s\n' $libs "$mhd" $(ldd_paths "$mhd") | sort -u)
# shellcheck disable=SC2086 # one argument per shared object
want=$(printf '%s\n' dev etc pausetop proc sys $libs | sed 's|^/||' | sort)
got=$( (cd "$T/rootfs" && { find . -mindepth 1 -maxdepth 1 -printf '%P\n'; find . -mindepth 2 -type f -printf '%P\n'; }) | grep -vxE 'lib|lib64|usr' | sort -u)
is "$got" "$want" "the layer holds /pausetop, /dev /etc /proc /sys and the $(wc -w <<<"$libs") shared objects of pausetop and libmicrohttpd"
is "$(chroot "$T/rootfs" /pausetop --version 2>&1)" "$("$BIN" --version)" "pausetop runs from the image's root filesystem alone (chroot)"
if [ -n "$(ldd_paths "$BIN")" ]; then
	loader=$(ldd_paths "$BIN" | grep -m1 '/ld-linux')
	out=$(chroot "$T/rootfs" "$loader" --list "$mhd" 2>&1)
	ok $? "the dlopened $mhd loads inside the image (its loader lists its closure there)"
	is "$(grep -c 'not found' <<<"$out")" 0 "  none of its libraries is missing from the image"
else
	skip "libmicrohttpd in the image" "$BIN is static: no --listen"
	skip "libmicrohttpd's closure" "$BIN is static"
fi

# Rebuild with the inputs make used: same digest, same archive bytes.
mapfile -t inputs <"$BUILD/image/labels.env"
env "${inputs[@]}" "$ROOT/deploy/build-image.sh" "$T/again-oci" "$BIN" "$T/again.tar" >/dev/null
ok $? "deploy/build-image.sh rebuilds"
d() { jq -r '.manifests[0].digest' "$1/index.json"; }
is "$(d "$T/again-oci")" "$(d "$L")" "same inputs, same manifest digest ($(d "$L"))"
cmp -s "$T/again.tar" "$A"
ok $? "same archive bytes"
env "${inputs[@]}" SOURCE_DATE_EPOCH=1 "$ROOT/deploy/build-image.sh" "$T/other-oci" "$BIN" >/dev/null
[ "$(d "$T/other-oci")" != "$(d "$L")" ]
ok $? "(another SOURCE_DATE_EPOCH gives another digest: the comparison can fail)"

# A dynamically linked binary takes its shared objects along and still runs.
dyn=$(command -v jq)
"$ROOT/deploy/build-image.sh" "$T/dyn-oci" "$dyn" >/dev/null && umoci raw unpack --image "$T/dyn-oci:latest" "$T/dyn" 2>/dev/null
ok $? "an image from a dynamic binary ($dyn)"
is "$(chroot "$T/dyn" /pausetop --version 2>&1)" "$("$dyn" --version)" "  runs from its image alone: its ldd closure is complete"
"$ROOT/deploy/build-image.sh" "$T/missing" "$T/nonexistent" >/dev/null 2>&1
is "$?" 1 "(a missing binary: exit 1)"

done_testing
