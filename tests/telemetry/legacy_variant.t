#!/usr/bin/env bash
# timeout: 600
# The pre-6.16 program (group_dead from signal->live, exits deduplicated in
# task storage) must count exactly the same, also on a kernel that has the new
# signature: force it and run the tests where the two programs differ most.
. "$(dirname "$0")/../lib.sh"
need_root
[ -x "$TELEMETRY_IT" ] || bail "telemetry_it not built: $TELEMETRY_IT"
exec env PW_TEST_VARIANT=legacy PAUSE="$PAUSE" "$TELEMETRY_IT" \
	nonreaping_init leader_exits_first autoreap orphans_thread pause_reaps_match_page \
	reaps_every_burst dying_ns_final pid_reuse_before_free orphan_zombie_leader exec_autoreap decision_window
