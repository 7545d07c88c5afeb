#!/usr/bin/env bash
# race.t — init mode: the main child and its grandchild exit within
# microseconds of each other (their SIGCHLDs coalesce), thousands of times,
# half of them with pause as PID 1 of a new pid namespace.  pause must never
# hang and must always exit with the main child's status (7).
# timeout: 600
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root

# the sanitizer build is ~10x slower to start: fewer (still thousands of) runs
case "$PAUSE" in */san/*) def=2000 ;; *) def=4000 ;; esac
n=${PAUSE_RACE_RUNS:-$def}
out=$("$PWTEST" race "$n" "$PAUSE" 2>"$T/err")
ok $? "race driver ran"
grep '^#' <<<"$out"
is "$(grep -v '^#' <<<"$out")" "runs $n hangs 0 wrong 0" \
	"$n runs (every other as PID 1): no hang (10 s bound each), always exit 7"
is "$(grep -v 'not PID 1' "$T/err" | head -3)" "" "nothing unexpected on stderr"
done_testing
