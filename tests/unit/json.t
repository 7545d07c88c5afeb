#!/usr/bin/env bash
# tests/unit/json.t — userspace/json.c: exact output, escaping, UTF-8
# repair, numbers, misuse, depth overflow, write errors (/dev/full, EPIPE).
# Builds a de_DE.UTF-8 locale (decimal comma) in a temp dir so the
# "doubles ignore LC_NUMERIC" case runs instead of skipping.
# timeout: 120
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
bin=${UNIT_BIN_DIR:-$BUILD/tests}/json_test
[ -x "$bin" ] || bail "$bin not built (make test-bins)"

tmp=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$tmp"'
if localedef -i de_DE -f UTF-8 "$tmp/de_DE.UTF-8" >/dev/null 2>&1; then
	export LOCPATH=$tmp PW_COMMA_LOCALE=de_DE.UTF-8
fi
"$bin"
