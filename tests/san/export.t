#!/usr/bin/env bash
# timeout: 2400
# The Prometheus export tests again with pausetop built with AddressSanitizer
# (+ LeakSanitizer) and UndefinedBehaviorSanitizer: the exposition, the HTTP
# server under malformed and concurrent requests, the textfile writer and the
# cluster view's HTTP client and JSON parser.  Any report fails the run (a
# report at exit turns a clean exit 0 into 86, which the tests check).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root
export PAUSETOP=$BUILD/san/pausetop
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
[ -x "$PAUSETOP" ] || bail "sanitizer build missing: $PAUSETOP (make san-bins)"
rc=0
for t in http prometheus textfile gone cluster hostile load; do
	"$ROOT/tests/export/$t.t" || rc=1
done
exit $rc
