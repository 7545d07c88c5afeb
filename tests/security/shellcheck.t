#!/usr/bin/env bash
# Lint of our shell: tests/security, tests/fuzz and tests/lint pass the
# shell linter at style level (and the linter can fail).
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
command -v shellcheck >/dev/null || bail "shellcheck not installed (scripts/deps.sh sandbox)"
cd "$ROOT" || bail "cannot cd to $ROOT"
for f in tests/security/*.t tests/security/common.sh tests/fuzz/*.t tests/lint/*.t tests/lint/lint.sh; do
	out=$(shellcheck -x -S style "$f" 2>&1)
	rc=$?
	is "$rc" 0 "shellcheck $f"
	[ "$rc" -eq 0 ] || diag "$(head -20 <<<"$out")"
done
tmp=$(mktemp)
# shellcheck disable=SC2016  # the unquoted $1 is the point
printf '#!/bin/bash\necho $1\n' >"$tmp"
shellcheck "$tmp" >/dev/null 2>&1
is "$?" 1 "shellcheck flags an unquoted \$1 (the check can fail)"
rm -f "$tmp"
done_testing
