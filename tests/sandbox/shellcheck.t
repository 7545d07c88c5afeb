#!/usr/bin/env bash
# tests/sandbox/shellcheck.t — sandbox/podsandbox and its tests pass the
# linter: shellcheck at every severity, sourced files followed.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

command -v shellcheck >/dev/null || bail "shellcheck not installed (scripts/deps.sh sandbox)"
cd "$ROOT" || bail "cannot cd to $ROOT"
for f in sandbox/podsandbox tests/sandbox/sandbox-lib.sh tests/sandbox/*.t; do
	out=$(shellcheck -x -S style "$f" 2>&1)
	rc=$?
	is "$rc" 0 "shellcheck $f"
	[ "$rc" -eq 0 ] || diag "$(head -20 <<<"$out")"
done
# The check must be able to fail: a known-bad snippet is reported.
# shellcheck disable=SC2016 # the $1 is meant literally
printf '#!/bin/bash\necho $1\n' >"${TMPDIR:-/tmp}/psb-sc-$$.sh"
shellcheck "${TMPDIR:-/tmp}/psb-sc-$$.sh" >/dev/null 2>&1
is "$?" 1 "shellcheck flags an unquoted \$1 (the check can fail)"
rm -f "${TMPDIR:-/tmp}/psb-sc-$$.sh"
done_testing
