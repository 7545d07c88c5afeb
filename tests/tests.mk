# tests/tests.mk — how the test run is put together.
#
# Fragments append to TEST_BINS (binaries tests need, built with `make`) and
# SAN_BINS (the same under ASan/UBSan, in $(BUILD)/san/).  `make test`
# installs every package group the tests use, builds both, and hands over to
# tests/run, which prints the closing "N passed, N failed, N skipped" line.

TEST_BINS ?=
SAN_BINS ?=
TEST_DEPS := build test image sandbox kernels bench cri deploy

.PHONY: test-bins san-bins

test-bins: $(TEST_BINS)
san-bins: $(SAN_BINS)

test:
	@$(DEPS) $(TEST_DEPS)
	@$(MAKE) --no-print-directory all test-bins san-bins
	@tests/run $(T)
