#!/usr/bin/env bash
# validation.t — issue 8, attack 4, end to end: a hostile PID 1 holds a
# sealed page with one value that no pause can write.  Before the fix each
# was accepted and printed (a sum that wraps modulo 2^64, a last reap at time
# 0, a "reap" whose status is a SIGSTOP, 5 million SIGKILLs in one drain).
# Now pausestat refuses each with the check that failed.  Every check has a
# unit test in tests/pause/page.t.
# timeout: 120
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/security/common.sh
source "$(dirname "$0")/common.sh"
need_root
need_unpriv_userns

while read -r kind reason; do
	hostile "page-$kind" page "$kind" || bail "hostile PID 1 ($kind) did not start"
	"$PAUSESTAT" "$HP" >"$T/ps.out" 2>"$T/ps.err"
	is "$?" 1 "page '$kind': pausestat exits 1"
	is "$(wc -c <"$T/ps.out")" 0 "page '$kind': prints no counters"
	grep -q "$reason" "$T/ps.err"
	ok $? "page '$kind': says '$reason' ($(head -1 "$T/ps.err"))"
	grep -q "not trustworthy" "$T/ps.err"
	ok $? "page '$kind': calls the page untrustworthy"
	stop_hostile
done <<'CASES'
wrap reaped_exit_nonzero 18446744073709551615 is beyond any real count
stop is not an exit or a kill
time0 last_reap.time_ns is 0 with 1 reaps
drain drain counts beyond the pids one namespace can hold
CASES
done_testing
