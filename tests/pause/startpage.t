#!/usr/bin/env bash
# startpage.t — pause's counters page at pause's own start: a reader that
# looks from the very moment the memfd appears in /proc/PID/fd (pwtest
# startpage spins on it) may find it empty (size 0, unsealed: "not ready
# yet"), but never sized or sealed without its header (magic, abi, size).
# And a SIGTERM sent the moment the page is complete finds every signal
# already blocked: pause exits 0, never dies of it (143).
# timeout: 300
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
need_root

# the sanitizer build starts ~10x slower: fewer (still hundreds of) runs
case "$PAUSE" in */san/*) def=500 ;; *) def=3000 ;; esac
n=${PAUSE_STARTPAGE_RUNS:-$def}
out=$("$PWTEST" startpage "$n" "$PAUSE")
ok $? "startpage driver ran"
grep '^#' <<<"$out" | head -10
read -r _ runs _ found _ looks _ bad <<<"$(grep -v '^#' <<<"$out")"
diag "$runs runs, the page seen while being born in $found of them, $looks looks"
ok $(( found > 0 ? 0 : 1 )) "the reader saw the page in its first moments ($found of $runs runs)"
is "$bad" 0 "never sized or sealed without a valid header (magic, abi, size)"
is "$(grep -c 'pause exited' <<<"$out")" 0 "SIGTERM at the page's first moment: pause exits 0 every time"
done_testing
