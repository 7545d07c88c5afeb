#!/usr/bin/env bash
# fdcost.t — issue 8, attack 5: a PID 1 with about 20,000 fds (this
# machine's RLIMIT_NOFILE hard limit) makes a reader that scans them all
# pay for each one: before the fix 0.10 s per read with plain fds, 0.37 s
# with 20,000 fake pages (numbers in docs/SECURITY.md).  Now the work per
# pid is bounded: fds 3..7, then at most 256 entries of /proc/PID/fd, at most
# 4 candidates proven.  Bound asserted: < 1 s per read (generous: the real
# numbers are milliseconds, see the diag lines and docs/BENCHMARKS.md).
# timeout: 300
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/security/common.sh
source "$(dirname "$0")/common.sh"
need_root
need_unpriv_userns

nfds=${PW_FDS:-19990}
reads=20

while read -r how want; do
	hostile "fds-$how" fds "$nfds" "$how" || bail "hostile PID 1 with $nfds fds ($how) did not start"
	have=$(find "/proc/$HP/fd" -mindepth 1 | wc -l)
	diag "$how: PID 1 holds $have fds $(grep '^page' "$T/fds-$how.out")"
	ok $((have >= nfds ? 0 : 1)) "$how: PID 1 holds at least $nfds fds ($have)"
	out=$("$HOSTILE" timeread "$HP" "$reads" 2>"$T/err")
	diag "$how: $reads reads: $out ($(cat "$T/err"))"
	like "$out" "^rc $want " "$how: the reader answers '$want'"
	max=$(awk '{ print $7 }' <<<"$out")
	ok $((max < 1000000 ? 0 : 1)) "$how: every read costs less than 1 s (max ${max} us)"
	elapsed timeout -k 1 30 "$PAUSESTAT" "$HP" >/dev/null 2>&1
	is "$RC" 1 "$how: pausestat answers (exit 1) in ${SECS} s"
	stop_hostile
done <<'CASES'
none noent
fakes notready
late noent
CASES
done_testing
