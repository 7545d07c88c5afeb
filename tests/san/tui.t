#!/usr/bin/env bash
# timeout: 900
# The live-view tests again with pausetop built with AddressSanitizer (+
# LeakSanitizer) and UndefinedBehaviorSanitizer.  pausetop runs inside tmux,
# so a report would land on the pane: reports go to files instead
# (log_path), and any file, or an exit status of 86, fails the run.
. "$(dirname "$0")/../lib.sh"
need_root
export PAUSETOP=$BUILD/san/pausetop
[ -x "$PAUSETOP" ] || bail "sanitizer build missing: $PAUSETOP (make san-bins)"
reports=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$reports"'
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86:log_path=$reports/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan
rc=0
for t in live restore hostile; do
	"$ROOT/tests/tui/$t.t" || rc=1
done
for f in "$reports"/*; do
	[ -e "$f" ] || continue
	echo "not ok - sanitizer report $(basename "$f"):"
	sed 's/^/#   /' "$f" | head -40
	rc=1
done
exit $rc
