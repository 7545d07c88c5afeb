#!/usr/bin/env bash
# timeout: 5400
# tests/kernels/matrix.t — the kernel matrix as part of `make test`: the
# telemetry integration tests inside Debian's 6.1 and 6.12 cloud kernels under
# qemu and on the host kernel (kernels/matrix.sh, docs/kernels.md).  Every
# guest TAP line comes back as "ok N - [RELEASE] what".  A kernel that cannot
# be downloaded is a failure, not a skip.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root

# The guests need static binaries and qemu is slow: run once, in the plain
# pass, not again with the sanitizer builds.
case "$TELEMETRY_IT" in
*/san/*) echo "1..0 # SKIP kernel matrix runs in the plain pass only"; exit 0 ;;
esac
export PW_TEST_BIN=${PW_TEST_BIN:-$TELEMETRY_IT}
# every telemetry test in every guest.  (exit_slot_eviction and ns_churn
# stalled the 6.1 guest under multi-threaded TCG: a qemu bug, which
# single-threaded TCG avoids; docs/kernels.md.)
export PW_TESTS=${PW_TESTS-all}
exec "$ROOT/kernels/matrix.sh"
