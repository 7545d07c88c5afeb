#!/usr/bin/env bash
# tests/tui/restore.t — the live view gives the terminal back on every way
# out: SIGTERM, SIGINT (Ctrl-C typed into the pane), SIGHUP, and a crash
# (SIGSEGV, SIGABRT: the handler resets the terminal, then the process dies
# of the same signal).  Each time: stty -g is what it was, the normal screen
# with what was printed before is back, the cursor is visible and the keypad
# in normal mode (tmux's own view of the pane).
# timeout: 300
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tui-lib.sh
. "$(dirname "$0")/tui-lib.sh"
tui_require

# how: "TERM", "INT-key" (C-c typed), "HUP", "SEGV", "ABRT"; want: its exit status
for case in TERM:0 INT-key:0 HUP:0 SEGV:139 ABRT:134; do
	how=${case%:*} want=${case#*:}
	what=SIG${how%-key}
	[ "$how" = INT-key ] && what="SIGINT (Ctrl-C typed)"
	if ! tui_start --; then
		bail "$what: pausetop did not draw its table: $(tui_screen | head -3)"
	fi
	pid=$(tui_pid)
	[ -n "$pid" ] || bail "$what: no pausetop process"
	is "$(tui_fmt '#{alternate_on}')" 1 "$what: the live view is on the alternate screen"
	# a drill-down shown: state to unwind
	tui_keys Enter
	tui_wait '^Esc back' 10
	if [ "$how" = INT-key ]; then
		tui_keys C-c
	else
		kill -"$how" "$pid"
	fi
	tui_wait_exit 30
	ok $? "$what: pausetop exited"
	is "$TUI_RC" "$want" "$what: exit status $want"
	tui_check_restored "$what"
done
done_testing
