#!/usr/bin/env bash
# tests/tui/valgrind.t — the live view under valgrind memcheck, in tmux: every
# screen and prompt is visited (filter, sort, reverse, drill-down, help,
# delay, pause, resize) over a namespace with zombies; q must exit 0, so no
# invalid access and no definite or indirect leak (exit 9 otherwise).
# timeout: 300
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tui-lib.sh
. "$(dirname "$0")/tui-lib.sh"
need_root
command -v tmux >/dev/null || bail "tmux missing (scripts/deps.sh test)"
command -v valgrind >/dev/null || bail "valgrind missing (scripts/deps.sh test)"
bin=$BUILD/dyn/pausetop
[ -x "$bin" ] || bail "dynamic pausetop not built: $bin (make test-bins)"
on_exit 'tui_cleanup'

tag=pwvg$$
ns_start z "$tag" 3 || bail "namespace did not start"
# pausetop as tui_start runs it, under memcheck; its report goes to a file
cat >"$TUI_DIR/vg" <<EOS
#!/bin/sh
exec valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \\
	--suppressions="$ROOT/tests/valgrind/bpf.supp" -q --log-file="$TUI_DIR/vg.log" "$bin" "\$@"
EOS
chmod +x "$TUI_DIR/vg"
PAUSETOP=$TUI_DIR/vg tui_start -- -d 0.5 || bail "pausetop under valgrind did not draw: $(tui_screen | head -3)"
step() { tui_keys "$@"; sleep 0.3; }
step /
tui_keys -l "$tag"
step Enter
tui_wait "filter '$tag': 1 of" 30
ok $? "filter"
step -l '>'
step -l '<'
step r
step Enter
tui_wait "zombies: 3, 3 listed" 30
ok $? "drill-down"
step j
step k
step Escape
step -l '?'
tui_wait "pausetop live view: keys" 10
ok $? "help"
step x
step d
step BSpace
step BSpace
step BSpace
tui_keys -l 1
step Enter
tui_wait "every 1s" 10
ok $? "delay changed to 1 s"
step Space
tui_wait "PAUSED" 10
ok $? "paused"
step Space
tmux_ resize-window -x 80 -y 24
sleep 1
tmux_ resize-window -x 120 -y 40
sleep 1
tui_keys q
tui_wait_exit 120
is "$TUI_RC" 0 "q exits 0 under memcheck: no invalid access, no leak"
grep -v 'unhandled eBPF command' "$TUI_DIR/vg.log" 2>/dev/null | sed 's/^/# /' | head -40
done_testing
