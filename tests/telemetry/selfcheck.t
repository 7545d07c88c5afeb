#!/usr/bin/env bash
# timeout: 300
# The randomized self-check (tests/telemetry/selfcheck.c): a few hundred
# seeded process trees in PID namespaces under four kinds of PID 1 (lazy,
# our pause, one that ignores SIGCHLD, a subreaper chain); the collector's
# counters must equal a model of the kernel's rules, which is itself checked
# against /proc after every step.  A failure prints its seed; replay it with
#   build/tests/selfcheck --seed N -v
. "$(dirname "$0")/../lib.sh"
need_root
: "${SELFCHECK:=$BUILD/tests/selfcheck}"
[ -x "$SELFCHECK" ] || bail "selfcheck not built: $SELFCHECK (run make test-bins)"
[ -x "$PAUSE" ] || bail "pause not built: $PAUSE"
exec env PAUSE="$PAUSE" "$SELFCHECK" --runs 300 --budget 55
