#!/usr/bin/env bash
# timeout: 600
# The unit tests again, built with ASan/UBSan (build/san/tests).
. "$(dirname "$0")/../lib.sh"
export UNIT_BIN_DIR=$BUILD/san/tests
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rc=0
for t in "$ROOT"/tests/unit/*.t; do
	"$t" || rc=1
done
exit $rc
