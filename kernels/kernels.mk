# kernels/kernels.mk — `make test-kernels`: the BPF integration tests inside
# Debian's own kernels under qemu, plus the host kernel (docs/kernels.md).
#
#   make test-kernels                     6.1 cloud, newest 6.12 cloud, host
#   make test-kernels KM_TESTS=all        every telemetry_it test, not the subset
#   make test-kernels KM_TEST_BIN=$(BUILD)/kernels/selftest KM_TESTS=all
#                                         the matrix's own probe only
#   PW_KERNELS='meta:linux-image-cloud-amd64 host' make test-kernels
#   PW_KERNEL_CACHE=/path make test-kernels   .deb cache (default /var/cache/pausewatch/kernels)
#
# The guest test subset (KM_TESTS unset) and every other knob live in
# kernels/matrix.sh, which tests/kernels/matrix.t runs too.

KM_DIR      := $(BUILD)/kernels
KM_TEST_BIN ?= $(BUILD)/tests/telemetry_it
KM_TESTS    ?=
KM_HELPERS  := $(KM_DIR)/qemu-exit $(KM_DIR)/selftest

.PHONY: test-kernels

TEST_BINS += $(KM_HELPERS)

# qemu-exit is PID 1's last word; musl keeps it tiny.
$(KM_DIR)/qemu-exit: kernels/qemu-exit.c
	@mkdir -p $(@D)
	musl-gcc $(HOST_CFLAGS) -static -o $@ $<

# The probe includes linux/bpf.h, which musl-gcc's include path lacks.
$(KM_DIR)/selftest: kernels/selftest.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -static -o $@ $<

test-kernels:
	@$(DEPS) kernels
	@$(MAKE) --no-print-directory all $(KM_HELPERS) $(KM_TEST_BIN) $(BUILD)/static/pausetop
	@PW_TEST_BIN=$(KM_TEST_BIN) $(if $(KM_TESTS),PW_TESTS='$(KM_TESTS)') kernels/matrix.sh
