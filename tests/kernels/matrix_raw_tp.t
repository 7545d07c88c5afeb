#!/usr/bin/env bash
# timeout: 1200
# tests/kernels/matrix_raw_tp.t — the raw_tp twins of the event programs (the
# collector's fallback when a kernel refuses tp_btf) inside the same guests:
# a different verifier must accept them too.  The guest subset of tests.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root
case "$TELEMETRY_IT" in
*/san/*) echo "1..0 # SKIP kernel matrix runs in the plain pass only"; exit 0 ;;
esac
export PW_TEST_BIN=${PW_TEST_BIN:-$TELEMETRY_IT}
export PW_TEST_ATTACH=raw_tp
exec "$ROOT/kernels/matrix.sh"
