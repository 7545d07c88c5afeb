#!/usr/bin/env bash
# timeout: 900
# The snapshot walk of kernels before 6.7 (the task iterator over every
# thread, with its own end-of-walk sweep) must count exactly what the
# open-coded walk counts: force it and run every test on this kernel too
# (the kernel matrix runs it natively on 6.1).
. "$(dirname "$0")/../lib.sh"
need_root
[ -x "$TELEMETRY_IT" ] || bail "telemetry_it not built: $TELEMETRY_IT"
PW_TEST_WALK=iter_task PAUSE="$PAUSE" exec "$TELEMETRY_IT"
