#!/usr/bin/env bash
# valgrind.t — pausestat (the glibc build, not the sanitizer one) is
# valgrind-clean on success and on every error path.
# timeout: 300
source "$(dirname "$0")/../lib.sh"
PAUSESTAT=$BUILD/pausestat	# valgrind and ASan do not mix: always the plain build
source "$(dirname "$0")/common.sh"
need_root
command -v valgrind >/dev/null || bail "valgrind missing: scripts/deps.sh test"

vg() { valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=all -q "$@"; }

start_ns
"$PWTEST" orphaner "$PP" 2:e0 1:s9
wait_until 5 sh -c "$PAUSESTAT $PP --json | jq -e '.reaped_total == 3' >/dev/null"
vg "$PAUSESTAT" "$PP" >"$T/out" 2>"$T/vg"; is "$?" 0 "valgrind pausestat PID: clean, exit 0"
[ -s "$T/vg" ] && sed 's/^/# /' "$T/vg"
vg "$PAUSESTAT" "$PP" --json >"$T/out" 2>"$T/vg"; is "$?" 0 "valgrind pausestat PID --json: clean, exit 0"
is "$(jq -r .reaped_total "$T/out")" 3 "... and correct under valgrind"
kill -TERM "$PP"; exit_of "$NS"
sleep 100 & sl=$!; PIDS+=("$sl")
vg "$PAUSESTAT" "$sl" >/dev/null 2>"$T/vg"; is "$?" 1 "valgrind, no page: clean, exit 1"
vg "$PAUSESTAT" 999999999 >/dev/null 2>"$T/vg"; is "$?" 1 "valgrind, no process: clean, exit 1"
vg "$PAUSESTAT" --bogus >/dev/null 2>"$T/vg"; is "$?" 2 "valgrind, usage error: clean, exit 2"
vg "$PAUSESTAT" --help >/dev/null 2>"$T/vg"; is "$?" 0 "valgrind, --help: clean, exit 0"
done_testing
