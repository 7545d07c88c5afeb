#!/usr/bin/env bash
# tests/tui/hostile.t — a container that writes escape sequences into its
# hostname and its init's comm must not reach the operator's terminal: an
# OSC "set window title", a CSI "clear screen", a newline, a BEL, a lone
# 8-bit CSI (0x9b) and an invalid byte are shown as '?' in the live view,
# the title of the tmux pane stays ours, and every byte pausetop writes to
# the terminal (tmux pipe-pane) is valid UTF-8 without those sequences.  The
# batch table (-b) is clean too, and JSON carries the bytes escaped.  On a
# terminal whose locale is not UTF-8 the live view writes ASCII only.
# timeout: 300
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tui-lib.sh
. "$(dirname "$0")/tui-lib.sh"
tui_require
command -v jq >/dev/null || bail "jq missing (scripts/deps.sh test)"

evil=pwevil$$
host=$(printf '%s\033]2;PWNED\a\033[2J\233\377日本' "$evil")
comm=$(printf '\033[31mE\nV\233L')
shown_host="$evil?]2;PWNED??[2J??日本"	# what the live view must show
shown_comm="?[31mE?V?L"

# a process can only rename itself: the init execs sleep through a symlink
# whose name (its comm and argv[0]) is the hostile string
ln -s "$(command -v sleep)" "$TUI_DIR/$comm" || bail "cannot make the hostile symlink"
ns_start evil "$host" 0 -e "$TUI_DIR/$comm" || bail "hostile namespace did not start"
init=$(ns_init evil)
is "$(od -An -tx1 <"/proc/$init/comm" | tr -d ' \n')" "$(printf '%s\n' "$comm" | od -An -tx1 | tr -d ' \n')" \
	"the init's comm holds ESC [31m, a newline and 0x9b"
is "$(nsenter -t "$init" -u cat /proc/sys/kernel/hostname | od -An -tx1 | tr -d ' \n')" \
	"$(printf '%s\n' "$host" | od -An -tx1 | tr -d ' \n')" "the namespace's hostname holds the escape sequences"

raw=$TUI_DIR/raw.log
TUI_RAW=$raw tui_start -- || bail "pausetop did not draw its table"
tui_keys /
tui_keys -l "$evil"
tui_keys Enter
tui_wait "filter '$evil': 1 of" 20
ok $? "the filter finds the namespace by the printable part of its hostname"
tui_keys Enter
tui_wait "^init: pid $init" 20
ok $? "drill-down of the hostile namespace"
screen=$(tui_screen)
grep -qF "host/pod: $shown_host   container: -" <<<"$screen"
ok $? "hostname shown as '$shown_host': ESC, BEL, 0x9b and 0xff as '?', wide characters kept"
grep -qF "init: pid $init, comm $shown_comm, cmdline $TUI_DIR/$shown_comm 3600" <<<"$screen"
ok $? "comm and cmdline shown as '$shown_comm': the newline forges no line"
like "$(tui_screen | head -1)" "namespaces .*zombies" "the screen was not cleared by the hostname's CSI 2J"
tui_keys q
tui_wait_exit 20
is "$TUI_RC" 0 "q exits 0"

pane_title=$(tui_fmt '#{pane_title}')
[[ "$pane_title" != *PWNED* ]]
ok $? "the pane's title was not set by the hostname's OSC sequence (title '$pane_title')"
grep -qF "$evil?]2;PWNED??[2J??" "$raw"
ok $? "the raw terminal output carries the neutralised hostname (the test saw it drawn)"
! grep -qF $'\e]2;' "$raw"
ok $? "the raw terminal output has no OSC sequence"
! grep -qaF "$(printf '\033[31mE')" "$raw"
ok $? "the raw terminal output has no ESC [31m from the comm"
iconv -f UTF-8 -t UTF-8 "$raw" >/dev/null 2>&1
ok $? "the raw terminal output is valid UTF-8 (no lone 0x9b, no 0xff)"
! grep -qaF $'\xc2\x9b' "$raw"
ok $? "the raw terminal output has no C1 control"

# --- a terminal whose locale is not UTF-8: ASCII only ------------------------
raw_c=$TUI_DIR/raw-c.log
TUI_RAW=$raw_c tui_start LANG=C -- || bail "pausetop (LANG=C) did not draw its table"
tui_keys /
tui_keys -l "$evil"
tui_keys Enter
tui_wait "filter '$evil': 1 of" 20
tui_keys Enter
tui_wait "^init: pid $init" 20
grep -qF "host/pod: $evil?]2;PWNED??[2J???? " <(tui_screen)
ok $? "LANG=C: each wide character is one '?'"
tui_keys q
tui_wait_exit 20
! LC_ALL=C grep -qaP '[\x80-\xff]' "$raw_c"
ok $? "LANG=C: every byte written to the terminal is ASCII"

# --- batch table and JSON ----------------------------------------------------
"$PAUSETOP" -b >"$TUI_DIR/batch" 2>&1
is "$?" 0 "pausetop -b exits 0"
grep -qF "$shown_comm" "$TUI_DIR/batch" && grep -qF "$evil?]2;" "$TUI_DIR/batch"
ok $? "-b shows the namespace, neutralised"
! grep -qaP '[\x00-\x08\x0b-\x1f\x7f]' "$TUI_DIR/batch"
ok $? "-b writes no control character but newlines"
iconv -f UTF-8 -t UTF-8 "$TUI_DIR/batch" >/dev/null 2>&1
ok $? "-b output is valid UTF-8"
"$PAUSETOP" --json >"$TUI_DIR/json" 2>&1
is "$(jq -r --arg e "$evil" '.namespaces[] | select(.hostname // "" | startswith($e)) | .hostname' "$TUI_DIR/json" |
	od -An -tx1 | tr -d ' \n')" \
	"$(printf '%s\033]2;PWNED\a\033[2J\357\277\275\357\277\275日本\n' "$evil" | od -An -tx1 | tr -d ' \n')" \
	"--json: the hostname's bytes escaped and back through jq (invalid bytes as U+FFFD)"
done_testing
