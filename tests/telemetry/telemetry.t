#!/usr/bin/env bash
# timeout: 900
# The telemetry integration tests (tests/telemetry/telemetry_it.c) on the
# running kernel: real PID namespaces, real processes, exact counts.
# PW_TEST_VARIANT picks the exit tracepoint program (auto by default).
. "$(dirname "$0")/../lib.sh"
need_root
[ -x "$TELEMETRY_IT" ] || bail "telemetry_it not built: $TELEMETRY_IT (run make test-bins)"
[ -x "$PAUSE" ] || bail "pause not built: $PAUSE"
exec env PAUSE="$PAUSE" "$TELEMETRY_IT"
