#!/usr/bin/env bash
# tests/unit/valgrind.t — the attrib/json unit binaries under valgrind
# memcheck (no leaks, no invalid accesses).  Their own TAP lines are shown
# as "# " comments; each binary counts as one test here.  Sanitizer builds
# (ASan) cannot run under valgrind: skipped in that pass.
# timeout: 600
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
dir=${UNIT_BIN_DIR:-$BUILD/tests}
command -v valgrind >/dev/null || bail "valgrind missing (scripts/deps.sh test)"

for name in json_test attrib_test collector_parts_test faces_test; do
	bin=$dir/$name
	if [ ! -x "$bin" ]; then
		bail "$bin not built (make test-bins)"
	fi
	if grep -q __asan_init "$bin"; then
		skip "$name under valgrind" "ASan build (sanitizer pass)"
		continue
	fi
	out=$(valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect -q "$bin" 2>&1)
	rc=$?
	sed 's/^/# /; s/# SKIP/(skip)/' <<<"$out"
	fails=$(grep -c '^not ok' <<<"$out")
	ok $(( rc != 0 || fails != 0 )) "$name under valgrind: exit $rc (9 = memcheck error), $fails failed"
done
done_testing
