#!/usr/bin/env bash
# traps.t — an EXIT trap runs in the shell that set it, never in a subshell.
#
# bash runs an inherited EXIT trap in a subshell that a signal kills before
# the subshell has reset its traps.  A loaded machine widens that window: a
# test's watchdog "(sleep N; kill ...) &", killed with SIGTERM as soon as
# what it watched ended, ran the test's cleanup — which killed the test's
# processes and removed its temporary directory while the test went on
# (tests/security/imposters.t failed that way at a load of 300).  So our
# scripts set EXIT traps only with on_exit (scripts/on-exit.sh), which runs
# the command only in the process that set it, as the kernel names it: a
# guard on "$BASHPID" was seen true in such a subshell.
#  1. The race, and that on_exit stops it: N subshells killed at once.
#  2. The exit status reaches the command in $?, as with a bare trap.
#  3. No bare EXIT trap in the tree's bash scripts.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

T=$(mktemp -d /tmp/pw-traps.XXXXXX)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$T"'
N=2000

# race SETTER CMD — a script that sets its EXIT trap to CMD with SETTER ("trap"
# or "on_exit"), starts N subshells and kills each at once.  CMD appends a
# pid, from the kernel, to $T/ran.  Prints how many lines came from other
# pids than the script's own, then how many from its own.
race() {
	rm -f "$T/ran"
	# shellcheck disable=SC1090,SC2016  # expanded by the inner bash
	bash -c '. "$5"
		if [ "$1" = trap ]; then trap "$2" EXIT; else on_exit "$2"; fi
		for i in $(seq "$3"); do (sleep 5; :) & kill "$!" 2>/dev/null; done
		wait
		echo "$$" >"$4/main"' race "$1" "$2" "$N" "$T" "$ROOT/scripts/on-exit.sh" 2>/dev/null
	awk -v m="$(cat "$T/main")" '$1 != m { o++ } $1 == m { s++ } END { print o + 0, s + 0 }' "$T/ran"
}
# shellcheck disable=SC2016  # expanded when the trap runs
record='read -r p _ </proc/self/stat; echo "$p" >>'"$T/ran"

read -r others own < <(race trap "$record")
diag "bare trap: $others of $N killed subshells ran the parent's EXIT trap"
# shellcheck disable=SC2016
read -r b_others b_own < <(race trap '[ "$BASHPID" = "$$" ] && { '"$record"'; }')
diag "trap guarded by \$BASHPID: $b_others of $N still ran it"
read -r g_others g_own < <(race on_exit "$record")
if [ "$others" -gt 0 ]; then
	ok 0 "the race is real here: $others of $N subshells ran a bare EXIT trap"
	is "$g_others" 0 "on_exit: no subshell runs it"
else
	skip "the race is real here" "not reproduced in $N subshells this time"
	skip "on_exit: no subshell runs it" "nothing to stop this time"
fi
is "$own" 1 "bare trap: the script itself runs it once"
is "$b_own" 1 "trap guarded by \$BASHPID: the script itself runs it once"
is "$g_own" 1 "on_exit: the script itself still runs it once"

# 2. $? and the exit status, with set -e as most of our scripts have
for st in 0 5; do
	# shellcheck disable=SC1090,SC2016
	out=$(bash -euo pipefail -c '. "$1"; on_exit "echo \"\$?\""; exit "$2"' x "$ROOT/scripts/on-exit.sh" "$st")
	rc=$?
	is "$out $rc" "$st $st" "on_exit: exit $st: the command sees \$? = $st and the script still exits $st"
done
# shellcheck disable=SC1090,SC2016
out=$(bash -c '. "$1"; on_exit "echo ran; exit 7"; exit 5' x "$ROOT/scripts/on-exit.sh")
is "$out $?" "ran 7" "on_exit: an exit in the command sets the status, as in a bare trap"

# 3. No bare EXIT trap in a bash script of the tree (the one POSIX sh script,
# kernels/run-tests.sh, runs under the guest's /bin/sh and kills no
# subshell); "trap - EXIT" removes one, and on_exit itself sets its trap.
cd "$ROOT" || bail "no $ROOT"
git ls-files --error-unmatch tests/lib.sh >/dev/null 2>&1 || bail "$ROOT is not a git checkout: the files to check are the tracked ones"
bad=$(git ls-files | while IFS= read -r f; do
	[ -f "$f" ] || continue
	case "$f" in docs/*|*.md|*.c|*.h|*.py|*.json|*.yml|*.yaml) continue ;; esac
	head -c 200 "$f" | grep -qE '^#!/bin/sh|shell=sh\b' && continue
	grep -nE '^[[:space:]]*trap .* EXIT$' "$f" |
		grep -vE 'trap - EXIT$|trap pw_on_exit EXIT$' | sed "s|^|$f:|"
done)
n=$(git grep -lE "^[[:space:]]*on_exit '" | wc -l)
is "$bad" "" "no bare EXIT trap in the tree's bash scripts ($n files use on_exit)"
[ -z "$bad" ] || diag "$bad"
done_testing
