#!/usr/bin/env bash
# tests/tui/colour.t — colours and NO_COLOR in the live view (tmux
# capture-pane -e shows the attributes pausetop set): a zombie older than
# 10 s makes its OLDEST cell yellow (SGR 33); the selected row is in reverse
# video; with NO_COLOR=1 nothing is coloured (no SGR 30-37, 38, 90-97), while
# bold and reverse still mark the heading, the sort column and the selection.
# timeout: 300
# shellcheck disable=SC2317 # functions called through wait_until and trap
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tui-lib.sh
. "$(dirname "$0")/tui-lib.sh"
tui_require

tag=pwcol$$
ns_start z "$tag" 2 || bail "namespace did not start"

# is there a colour SGR (foreground 30-37, 38;..., 90-97) in the text?
has_colour() { grep -qE $'\e\\[([0-9]+;)*(3[0-8]|9[0-7])(;[0-9]+)*m' <<<"$1"; }
oldest() { tui_row " $tag " | awk '{print $7}'; }
# OLDEST in whole seconds ("4.2s", ">35.1s", "1m05s"); 0 when not shown yet
age_s() {
	local a=${1#>}
	if [[ "$a" =~ ^([0-9]+)(\.[0-9])?s$ ]]; then echo "${BASH_REMATCH[1]}"
	elif [[ "$a" =~ ^([0-9]+)m([0-9]+)s$ ]]; then echo $((BASH_REMATCH[1] * 60 + 10#${BASH_REMATCH[2]}))
	else echo 0; fi
}
oldest_at_least() { [ "$(age_s "$(oldest)")" -ge "$1" ]; }

tui_start -- || bail "pausetop did not draw its table"
tui_keys /
tui_keys -l "$tag"
tui_keys Enter
tui_wait "filter '$tag': 1 of" 20
ok $? "the namespace is shown"
# the zombies predate pausetop: their age is a lower bound that grows from its start
wait_until 40 oldest_at_least 11
ok $? "OLDEST passed 10 s ($(oldest))"
row=$(grep -F " $tag " <(tui_screen_esc))
grep -qE $'\e\\[[0-9;]*33m *>?[0-9.]+s' <<<"$row"
ok $? "the OLDEST cell of a zombie older than 10 s is yellow"
grep -qE $'\e\\[[0-9;]*7m' <<<"$row"
ok $? "the selected row is in reverse video"
tui_keys q
tui_wait_exit 20

tui_start NO_COLOR=1 -- || bail "pausetop (NO_COLOR) did not draw its table"
tui_keys /
tui_keys -l "$tag"
tui_keys Enter
tui_wait "filter '$tag': 1 of" 20
screen=$(tui_screen_esc)
! has_colour "$screen"
ok $? "NO_COLOR=1: no colour anywhere on the screen"
grep -E '^.*PIDNS' <<<"$screen" | grep -qE $'\e\\[[0-9;]*1m'
ok $? "NO_COLOR=1: the heading is still bold"
grep -F " $tag " <<<"$screen" | grep -qE $'\e\\[[0-9;]*7m'
ok $? "NO_COLOR=1: the selection is still in reverse video"
tui_keys q
tui_wait_exit 20
is "$TUI_RC" 0 "q exits 0"
done_testing
