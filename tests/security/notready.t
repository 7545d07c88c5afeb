#!/usr/bin/env bash
# notready.t — issue 8, attack 6: a page read while pause creates it.  Before
# the fix the reader called it "not trustworthy; is PID really our pause?"
# (size 0, unsealed, zero header).  Now: "not ready yet" (-EAGAIN), and
# pausestat retries for 0.2 s before saying so.
#  1. the real pause, stopped at every system call of its start-up (ptrace),
#     its page read at each stop: never "invalid" (before: 7 of its stops);
#  2. a hostile PID 1 whose page stays in each step of its creation:
#     pausestat says "not ready yet" (tests/pause/page.t: a page whose seals
#     can never be right is "invalid").
# timeout: 300
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/security/common.sh
source "$(dirname "$0")/common.sh"
need_root
need_unpriv_userns
[ -x "$PAUSE" ] || bail "$PAUSE missing"

starts=${PW_START_RUNS:-100}
out=$("$HOSTILE" startrace "$PAUSE" "$starts" 2>"$T/start.err")
ok $? "start race driver ran"
diag "$out"
grep -m3 . "$T/start.err" | while read -r l; do diag "$l"; done
like "$out" "^starts $starts ok $starts invalid 0 notready [0-9]+ noent [0-9]+ other 0$" \
	"$starts starts of pause read at every syscall: never invalid, always valid in the end"
nr=$(awk '{ print $8 }' <<<"$out")
ok $((nr >= starts ? 0 : 1)) "the page was caught in creation ($nr stops) and said 'not ready'"

for step in empty sized sealed header; do
	hostile "state-$step" state "$step" || bail "hostile PID 1 (state $step) did not start"
	elapsed "$PAUSESTAT" "$HP" >/dev/null 2>"$T/ps.err"
	is "$RC" 1 "page stuck '$step': pausestat exits 1"
	grep -q "is not ready yet" "$T/ps.err"
	ok $? "page stuck '$step': says not ready yet ($(tail -1 "$T/ps.err"))"
	! grep -q "not trustworthy" "$T/ps.err"
	ok $? "page stuck '$step': does not call it untrustworthy"
	diag "pausestat retried for ${SECS} s"
	stop_hostile
done
done_testing
