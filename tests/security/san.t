#!/usr/bin/env bash
# timeout: 1500
# The tests/security attacks again against the readers built with
# ASan/UBSan (build/san/: pausestat, pausetop, the hostile driver that calls
# userspace/pause_page.c in a loop, textsafe_test): any report fails.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root
export PAUSE=$BUILD/san/pause PAUSETOP=$BUILD/san/pausetop
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export PW_RACE_READS=50000 PW_RACE_RUNS=500 PW_RACE_SECS=10 PW_START_RUNS=20
for b in "$PAUSE" "$PAUSETOP" "$BUILD/san/pausestat" "$BUILD/san/tests/hostile" "$BUILD/san/tests/textsafe_test"; do
	[ -x "$b" ] || bail "sanitizer build missing: $b (make san-bins)"
done
rc=0
for t in page_race imposters notready validation fdcost textfaces; do
	"$ROOT/tests/security/$t.t" || rc=1
done
exit $rc
