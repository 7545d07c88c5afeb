#!/usr/bin/env bash
# tests/tui/retention.t — two readers see a gone namespace's final counters:
# the live view and `pausetop --json -n 0` (each its own collector, both with
# --keep-gone 3).  A namespace is created, runs, and is killed; both show it
# gone (TERM? "gone", alive:false with its gone_time), with the same final
# exit count, for the retention window; then it leaves both.
# timeout: 300
# shellcheck disable=SC2317 # functions called through wait_until and trap
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tui-lib.sh
. "$(dirname "$0")/tui-lib.sh"
need_root
command -v tmux >/dev/null || bail "tmux missing (scripts/deps.sh test)"
command -v jq >/dev/null || bail "jq missing (scripts/deps.sh test)"
[ -x "$PAUSETOP" ] || bail "$PAUSETOP not built"
json=$TUI_DIR/lines.json
jpid=
cleanup() {
	[ -n "$jpid" ] && { kill "$jpid"; wait "$jpid"; } 2>/dev/null
	tui_cleanup
}
on_exit 'cleanup'

tag=pwkeep$$
tui_start -- --keep-gone 3 || bail "pausetop did not draw its table"
"$PAUSETOP" --json -n 0 -d 0.5 --keep-gone 3 >"$json" 2>"$TUI_DIR/json.err" &
jpid=$!
wait_until 30 test -s "$json" || bail "pausetop --json wrote nothing: $(cat "$TUI_DIR/json.err")"

# 3 children exit (zombies of the init), then the init is killed: 4 exits
ns_start k "$tag" 3 || bail "namespace did not start"
inum=$(ns_inum k)
tui_keys /
tui_keys -l "$tag"
tui_keys Enter
tui_wait "filter '$tag': 1 of" 20
ok $? "the live view shows the namespace"
# complete lines only: the last one may be half written
jq_ns() { grep '^{' "$json" | jq -cR --argjson n "$inum" --arg h "$tag" \
	'fromjson? // empty | .namespaces[] | select(.pidns == $n and .hostname == $h)'; }
wait_until 20 sh -c "grep -q '\"hostname\":\"$tag\"' '$json'"
ok $? "the JSON reader shows the namespace"

kill -KILL "$(ns_init k)"
t_kill=$(date +%s.%N)
# --- both see it gone, with its final counters -------------------------------
gone_seen() { [ -n "$(jq_ns | jq -c 'select(.alive == false)')" ]; }
wait_until 20 gone_seen
ok $? "JSON reader: the namespace is reported alive:false"
final=$(jq_ns | jq -s -c '[.[] | select(.alive == false)] | first')
like "$(jq -r .gone_time <<<"$final")" '^[0-9]{10}' "JSON reader: gone_time set"
exits=$(jq -r .exits_total <<<"$final")
is "$exits" 4 "JSON reader: final exits_total 4 (3 children and the init)"
gone_lines() { [ "$(jq_ns | jq -s '[.[] | select(.alive == false)] | length')" -ge 2 ]; }
wait_until 10 gone_lines
ok $? "JSON reader: the gone namespace is in more than one snapshot (not one-shot)"
tui_wait " $tag .* gone " 10
ok $? "live view: the row says gone"
tui_keys Enter
tui_wait "^pidns $inum \(level 1\), gone [0-9]+ s ago: final values" 10
ok $? "live view drill-down: gone, final values"
like "$(tui_screen)" "since pausetop started: $exits exits" "live view: the same final exit count ($exits)"

# --- then it leaves both -------------------------------------------------------
tui_keys Escape
tui_wait "no namespace matches the filter" 30
ok $? "live view: the namespace leaves after the retention window"
gone_for=$(awk -v a="$t_kill" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}')
[ "$gone_for" -ge 3 ]
ok $? "live view: it left no earlier than --keep-gone 3 s (after ${gone_for} s)"
sleep 1
last=$(grep '^{' "$json" | tail -2 | jq -cR 'fromjson? // empty' | tail -1)
is "$(jq --argjson n "$inum" '[.namespaces[] | select(.pidns == $n)] | length' <<<"$last")" 0 \
	"JSON reader: the namespace left its latest snapshot"
tui_keys q
tui_wait_exit 20
is "$TUI_RC" 0 "q exits 0"
done_testing
