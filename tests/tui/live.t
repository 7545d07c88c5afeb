#!/usr/bin/env bash
# tests/tui/live.t — pausetop's live view in a real tmux over real PID
# namespaces: two namespaces with exactly 3 and 7 zombies show 3 and 7; the
# filter finds them by hostname; sorting by ZOMB, HOST/POD and reversed puts
# them in the right order and says so; the drill-down lists exactly the
# zombies' pids and the init's SIGTERM disposition; a resize to 80x24 redraws
# in the 80-column layout and back; q exits 0 and restores the terminal.
# timeout: 300
# shellcheck disable=SC2317 # functions called through wait_until and trap
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tui-lib.sh
. "$(dirname "$0")/tui-lib.sh"
tui_require

tag=pwtui$$
ns_start a "$tag-a" 3 || bail "namespace a (3 zombies) did not start"
ns_start b "$tag-b" 7 || bail "namespace b (7 zombies) did not start"
tui_start -- || bail "pausetop did not draw its table: $(tui_screen | head -5)"

# fields of a row at 120 columns: PIDNS INIT-PID COMM HOST CONTAINER ZOMB
row_fields() { tui_row "^$(ns_inum "$1") " | awk '{print $1, $2, $3, $4, $6}'; }
order() { tui_screen | grep -oE " $tag-[ab] " | tr -d ' ' | tr '\n' ' '; }
order_is() { [ "$(order)" = "$1" ]; }

# --- filter: / hostname Enter --------------------------------------------
tui_keys /
tui_keys -l "$tag"
tui_keys Enter
tui_wait "filter '$tag': 2 of [0-9]+" 20
ok $? "/ filters: the status line says 2 namespaces match '$tag'"
tui_wait " $tag-a .* $tag-b | $tag-b .* $tag-a " 5 || tui_wait "$tag-a" 5
is "$(row_fields a)" "$(ns_inum a) $(ns_init a) sleep $tag-a 3" \
	"namespace with 3 zombies: its row shows pidns, init pid, comm, hostname and ZOMB 3"
is "$(row_fields b)" "$(ns_inum b) $(ns_init b) sleep $tag-b 7" \
	"namespace with 7 zombies: ZOMB 7"
is "$(tui_screen | grep -cE " $tag-[ab] ")" 2 "only the two matching rows are shown"

# --- sort ------------------------------------------------------------------
is "$(order)" "$tag-b $tag-a " "default sort: most zombies first (7 above 3)"
tui_keys -l '<'
tui_keys -l '<'
tui_wait 'sort HOST/POD \(least first\)' 10
ok $? "< < moves the sort column to HOST/POD, shown in the status line"
wait_until 5 order_is "$tag-a $tag-b "
is "$(order)" "$tag-a $tag-b " "sorted by HOST/POD: a before b"
tui_keys r
tui_wait 'sort HOST/POD \(most first\)' 10
wait_until 5 order_is "$tag-b $tag-a "
is "$(order)" "$tag-b $tag-a " "r reverses: b before a"
tui_keys -l '>'
tui_keys -l '>'
tui_wait 'sort ZOMB \(most first\)' 10
ok $? "> > back to ZOMB"

# --- drill-down --------------------------------------------------------------
tui_keys Escape
tui_wait '^sort ZOMB \(most first\) \| every' 10
ok $? "Esc clears the filter"
tui_keys /
tui_keys -l "$tag-a"
tui_keys Enter
tui_wait "filter '$tag-a': 1 of" 10
tui_keys Enter
tui_wait "zombies: 3, 3 listed" 20
ok $? "Enter drills into the namespace: 3 zombies, 3 listed"
screen=$(tui_screen)
for z in $(ns_zombies a); do
	grep -Eq "^ +$z +[0-9]+ tui_nsfix +$(ns_init a) sleep " <<<"$screen"
	ok $? "drill-down lists zombie pid $z (comm tui_nsfix, parent $(ns_init a) sleep)"
done
is "$(ns_zombies a | wc -l)" 3 "the test's namespace has exactly 3 zombies (ps)"
like "$screen" "init: pid $(ns_init a), comm sleep, cmdline sleep 3600" "drill-down: the init and its cmdline"
like "$screen" "pidns $(ns_inum a) \(level 1\), alive" "drill-down: the namespace"
like "$screen" "init dispositions: SIGTERM default," "drill-down: the init's SIGTERM disposition is default"
like "$screen" "the init neither handles nor blocks SIGTERM: the kernel drops it" "drill-down: says what that means"
like "$screen" "zombies over the last [0-9]+ snapshots \(max 3\): " "drill-down: zombie sparkline"
tui_keys Escape
tui_wait '^PIDNS +INIT' 10
ok $? "Esc goes back to the table"

# --- resize ------------------------------------------------------------------
tmux_ resize-window -x 80 -y 24
tui_wait '^PIDNS      INIT          HOST/POD      ZOMB  OLDEST EXIT/s  IGN TERM\?       PIDS$' 10
ok $? "resize to 80x24: redrawn with the 80-column layout"
is "$(tui_screen | wc -l)" 24 "24 lines"
like "$(tui_screen | tail -1)" "^sort ZOMB \(most first\) \| filter '$tag-a': 1 of [0-9]+ \| every 1s" \
	"80x24: the status line is on the last line"
host_a="$tag-a"
like "$(tui_row "^$(ns_inum a) ")" "^$(ns_inum a) $(ns_init a) sleep +${host_a:0:12} +3 " \
	"80x24: the row, HOST/POD in its 12 columns, ZOMB 3"
tmux_ resize-window -x 120 -y 40
tui_wait '^PIDNS +INIT +HOST/POD +CONTAINER +ZOMB' 10
ok $? "resize back to 120x40: CONTAINER is shown again"

# --- q -----------------------------------------------------------------------
tui_keys q
tui_wait_exit 20
is "$TUI_RC" 0 "q exits 0"
tui_check_restored "q"
done_testing
