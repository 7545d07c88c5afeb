#!/usr/bin/env bash
# tests/deploy/lint.t — every script of deploy/ and of its tests passes the
# shell linter at every severity (sourced files followed), every Python file
# compiles with Debian's /usr/bin/python3, and the checks can fail.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

command -v shellcheck >/dev/null || bail "shellcheck missing (scripts/deps.sh deploy)"
cd "$ROOT" || bail "cannot cd to $ROOT"
for f in deploy/build-image.sh tests/deploy/*.t tests/containerd/*.t tests/containerd/cd-lib.sh tests/containerd/cni-dummy; do
	out=$(shellcheck -x -S style "$f" 2>&1)
	rc=$?
	is "$rc" 0 "shellcheck $f"
	[ "$rc" -eq 0 ] || diag "$(head -20 <<<"$out")"
done
for f in deploy/grafana/dashboard.py tests/deploy/*.py tests/containerd/*.py; do
	out=$(/usr/bin/python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$f" 2>&1)
	is "$?" 0 "python3 parses $f"
	[ -z "$out" ] || diag "$out"
done
T=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$T"'
# shellcheck disable=SC2016 # the $1 is meant literally
printf '#!/bin/bash\necho $1\n' >"$T/bad.sh"
shellcheck "$T/bad.sh" >/dev/null 2>&1
is "$?" 1 "(shellcheck flags an unquoted \$1: the check can fail)"
printf 'def f(:\n' >"$T/bad.py"
/usr/bin/python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' "$T/bad.py" 2>/dev/null
is "$?" 1 "(a syntax error is caught)"
done_testing
