#!/usr/bin/env bash
# tests/unit/faces.t — every face's output from hand-built snapshots, no root
# and no BPF (tests/unit/faces_test.c): the text table, the JSON document and
# the live view's model (layout, cells, sort, filter, header, drill-down,
# sparkline), with hostile container strings that must never reach a
# terminal raw.  Then jq reads the hostile snapshot's JSON back: every
# escaped control round-trips to the same bytes.
# timeout: 120
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
bin=${UNIT_BIN_DIR:-$BUILD/tests}/faces_test
[ -x "$bin" ] || bail "$bin not built (make test-bins)"
command -v jq >/dev/null || bail "jq missing (scripts/deps.sh test)"

tmp=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$tmp"'

out=$("$bin" 2>&1)
rc=$?
# The C test's own lines (minus its plan) come first; ours continue its numbering.
grep -v '^1\.\.' <<<"$out"
T_N=$(grep -cE '^(not )?ok ' <<<"$out")
[ "$rc" -eq 0 ] || T_FAILED=$((T_FAILED + 1))

"$bin" --json "$tmp/evil.json"
ok $? "faces_test --json writes the hostile snapshot"
jq -e . "$tmp/evil.json" >/dev/null
ok $? "jq parses the hostile snapshot's JSON"
is "$(jq -r '.namespaces[0].hostname' "$tmp/evil.json" | od -An -c | tr -s ' ')" \
	"$(printf '\033]2;PWNED\a日本\357\277\275\n' | od -An -c | tr -s ' ')" \
	"jq: the hostname's ESC and BEL round-trip; the stray byte is U+FFFD"
is "$(jq -r '.namespaces[0].init_comm' "$tmp/evil.json" | od -An -tx1 | tr -s ' ')" \
	"$(printf '\033[2Jx\n\357\277\275\n' | od -An -tx1 | tr -s ' ')" \
	"jq: the comm's ESC and newline round-trip; the lone 0x9b is U+FFFD"
is "$(jq -r '.zombies[0] | "\(.pid) \(.pid_in_ns) \(.ppid) \(.exit_code)"' "$tmp/evil.json")" \
	"700 2 666 0" "jq: the zombie row"
done_testing
