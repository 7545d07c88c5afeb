#!/usr/bin/env bash
# timeout: 5400
# tests/kernels/matrix_raw_tp.t — the raw_tp twins of the event programs (the
# collector's fallback when a kernel refuses tp_btf) inside the same guests:
# a different verifier must accept them too.  matrix.t with the guest subset.
export PW_TEST_ATTACH=raw_tp
export PW_TESTS="nonreaping_init orphans_init pause_reaps_match_page sigterm_ignored_by_init leader_exits_first \
	reaps_every_burst dying_ns_final pid_reuse_before_free orphan_zombie_leader exec_autoreap decision_window"
exec "$(dirname "$0")/matrix.t"
