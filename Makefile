# pausewatch — the one entry point.
#
#   make                build/pause, build/pausestat, build/pausetop
#   make test           install what tests need, build, run every test (+ sanitizer pass);
#                       make test T=tests/pause runs one part
#   make demo           install what it needs, build the image, run a pod with our pause
#   make bench          side-by-side benchmarks (bench-pause, bench-bpf -> docs/BENCHMARKS.md)
#   make image          OCI sandbox image (build/image/); make image-load puts it in podman
#   make test-kernels   BPF tests inside Debian's 6.1 and 6.12 kernels under qemu, and the host
#   make vmlinux        regenerate vmlinux/$(ARCH)/vmlinux.h from the running kernel
#   make fuzz           every libFuzzer target for a minute (fuzz/fuzz.mk)
#   make lint           clang-tidy over the C tree (.clang-tidy)
#   make clean          remove build/
#
# Each part of the tree owns a fragment (pause/pause.mk, bpf/bpf.mk, ...);
# this file holds only what they share.

VERSION   ?= 3.10-pw0.1.0
BUILD     ?= build
ROOT      := $(CURDIR)
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
DEPS      := scripts/deps.sh

CC        ?= gcc
WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
CFLAGS    ?= -O2 -g
HOST_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -DPW_VERSION='"$(VERSION)"'

# Sanitizer flavour of every host binary, built under $(BUILD)/san/.
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

.PHONY: all deps deps-test test test-unit test-san bench image demo clean help
.DEFAULT_GOAL := all

all:

deps:
	@$(DEPS) build

include pause/pause.mk
include bpf/bpf.mk
include userspace/userspace.mk
include image/image.mk
include sandbox/sandbox.mk
include kernels/kernels.mk
include bench/bench.mk
include bench/bpf/bpf.mk
include bench/export/export.mk
include tests/security/security.mk
include fuzz/fuzz.mk
include bench/tui/tui.mk
# last: its rules expand TEST_BINS and SAN_BINS, which every fragment above extends
include tests/tests.mk

# clang-tidy over the C tree against tests/lint/baseline.txt (the checks: .clang-tidy)
.PHONY: lint
lint: $(BPF_SKEL)
	@tests/lint/lint.sh

help:
	@sed -n '2,17p' Makefile | sed 's/^# \{0,1\}//'

clean:
	rm -rf $(BUILD)
