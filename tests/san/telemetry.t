#!/usr/bin/env bash
# timeout: 1500
# The telemetry tests again, with the collector and pausetop built with
# AddressSanitizer (+ LeakSanitizer) and UndefinedBehaviorSanitizer: any
# report fails the run.
. "$(dirname "$0")/../lib.sh"
need_root
export TELEMETRY_IT=$BUILD/san/tests/telemetry_it PAUSETOP=$BUILD/san/pausetop SELFCHECK=$BUILD/san/tests/selfcheck
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for bin in "$TELEMETRY_IT" "$PAUSETOP" "$SELFCHECK"; do
	[ -x "$bin" ] || bail "sanitizer build missing: $bin (make san-bins)"
done
rc=0
"$ROOT/tests/telemetry/telemetry.t" || rc=1
"$ROOT/tests/telemetry/pausetop_cli.t" || rc=1
"$ROOT/tests/telemetry/selfcheck.t" || rc=1
exit $rc
