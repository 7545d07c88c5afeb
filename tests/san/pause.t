#!/usr/bin/env bash
# timeout: 1500
# The pause tests again with pause, pausestat and the page reader built with
# ASan/UBSan (build/san/); the seccomp allow-list stays on (the san build
# allows the sanitizer runtime's syscalls).
. "$(dirname "$0")/../lib.sh"
need_root
export PAUSE=$BUILD/san/pause
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
[ -x "$PAUSE" ] || bail "sanitizer build missing: $PAUSE (make san-bins)"
rc=0
for t in caps cli idle init jobctl page pid1_orphans race shutdown signals startpage subreaper; do
	"$ROOT/tests/pause/$t.t" || rc=1
done
exit $rc
