#!/usr/bin/env bash
# deps.sh — install the Debian packages pausewatch needs, idempotently.
#
#   scripts/deps.sh [GROUP...]      groups: build test image sandbox kernels bench cri deploy all
#
# Only packages that are missing are installed; with everything present this
# makes no network access and returns in well under a second.
set -euo pipefail

declare -A PKGS=(
  [build]="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev musl-tools pkg-config libncurses-dev libmicrohttpd-dev"
  [test]="util-linux procps psmisc iproute2 jq valgrind busybox-static libclang-rt-14-dev tmux python3-pexpect clang-tidy libcap2-bin python3 prometheus prometheus-node-exporter python3-prometheus-client wrk curl"
  [image]="umoci skopeo jq podman runc containers-storage busybox-static"
  [sandbox]="runc umoci jq iproute2 containernetworking-plugins shellcheck util-linux groff-base procps busybox-static"
  [kernels]="qemu-system-x86 cpio lz4 zstd xz-utils busybox-static musl-tools shellcheck"
  [bench]="tini catatonit dumb-init libbpf-tools hyperfine prometheus-node-exporter curl"
  # tests/containerd: a private containerd driven over the CRI (gRPC stubs from Python)
  [cri]="containerd runc python3-grpcio python3-grpc-tools python3-protobuf python3-yaml containernetworking-plugins iproute2 util-linux procps jq libcap2-bin umoci skopeo busybox-static"
  # deploy/ and tests/deploy: promtool/prometheus, YAML, systemd-analyze, strace, linters
  [deploy]="prometheus python3-yaml systemd strace shellcheck jq umoci skopeo libcap2-bin util-linux"
)

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(build)
if [ "${groups[0]}" = all ]; then groups=(build test image sandbox kernels bench cri deploy); fi

want=()
for g in "${groups[@]}"; do
  [ -n "${PKGS[$g]+x}" ] || { echo "deps.sh: unknown group '$g' (known: ${!PKGS[*]} all)" >&2; exit 2; }
  for p in ${PKGS[$g]}; do want+=("$p"); done
done

missing=()
for p in $(printf '%s\n' "${want[@]}" | sort -u); do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages: ${missing[*]}; run as root (or: sudo $0 ${groups[*]})" >&2
  exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
stamp=/var/lib/apt/periodic/pausewatch-update-stamp
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +360 2>/dev/null)" ]; then
  apt-get update -qq
  mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
