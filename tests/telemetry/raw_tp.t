#!/usr/bin/env bash
# timeout: 900
# The raw_tp programs (the collector's fallback when a kernel refuses tp_btf)
# must count exactly what the tp_btf ones count: force them, run every test,
# and the legacy exit program's raw_tp twin on the tests where it differs.
. "$(dirname "$0")/../lib.sh"
need_root
[ -x "$TELEMETRY_IT" ] || bail "telemetry_it not built: $TELEMETRY_IT"
rc=0
PW_TEST_ATTACH=raw_tp PAUSE="$PAUSE" "$TELEMETRY_IT" || rc=1
PW_TEST_ATTACH=raw_tp PW_TEST_VARIANT=legacy PAUSE="$PAUSE" "$TELEMETRY_IT" \
	nonreaping_init leader_exits_first autoreap orphans_thread || rc=1
exit $rc
