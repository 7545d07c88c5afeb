#!/usr/bin/env bash
# tests/unit/json_jq.t — what userspace/json.c writes, checked by jq:
# valid JSON, byte-identical to jq's own pretty/compact formatting, and
# strings decode to the exact bytes (invalid UTF-8 → U+FFFD).
# timeout: 120
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
bin=${UNIT_BIN_DIR:-$BUILD/tests}/json_test
[ -x "$bin" ] || bail "$bin not built (make test-bins)"
command -v jq >/dev/null || bail "jq missing (scripts/deps.sh test)"

pretty=$("$bin" --emit pretty); ok $? "emit pretty"
compact=$("$bin" --emit compact); ok $? "emit compact"
is "$(jq . <<<"$pretty")" "$pretty" "pretty output is valid and byte-identical to jq ."
is "$(jq -c . <<<"$compact")" "$compact" "compact output is valid and byte-identical to jq -c ."
is "$(jq -c . <<<"$pretty")" "$compact" "pretty and compact are the same document"
is "$(wc -l <<<"$compact" | tr -d ' ')" 1 "compact document is one line"
is "$(jq -r '.namespaces[0].hostname' <<<"$pretty")" 'héte "x"\y' "string value decodes exactly"
is "$(jq -r '.namespaces[0].pidns' <<<"$pretty")" 4026532290 "number decodes exactly"

# decoded bytes of one string written by pw_json_str, in hex
hex() { "$bin" --emit-string "$1" | jq -j . | od -An -tx1 | tr -d ' \n'; }
hexof() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

ctl=$(printf '%b' '\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"\\/')
is "$(hex "$ctl")" "$(hexof "$ctl")" "controls 01..1f, 7f, quote, backslash, slash round-trip"
s=$'caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e \xf4\x8f\xbf\xbf'
is "$(hex "$s")" "$(hexof "$s")" "valid 2/3/4-byte UTF-8 round-trips"
fffd=efbfbd
is "$(hex $'\xc0\x80')" "$fffd$fffd" "overlong C0 80 -> 2x U+FFFD"
is "$(hex $'\xe0\x80\xaf')" "$fffd$fffd$fffd" "overlong E0 80 AF -> 3x U+FFFD"
is "$(hex $'\xed\xa0\x80')" "$fffd$fffd$fffd" "surrogate ED A0 80 -> 3x U+FFFD"
is "$(hex $'\xf4\x90\x80\x80')" "$fffd$fffd$fffd$fffd" "F4 90 80 80 (> U+10FFFF) -> 4x U+FFFD"
is "$(hex $'a\xe2\x82b')" "61${fffd}62" "truncated sequence -> one U+FFFD"
is "$(hex $'\xff\xfe')" "$fffd$fffd" "FF FE -> 2x U+FFFD"
done_testing
