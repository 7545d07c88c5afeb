#!/usr/bin/env bash
# tests/tui/pids.t — PID pressure in the live view: a namespace in a pids
# cgroup with pids.max = 50 whose init holds 40 zombies shows pids.current/50
# (41/50: the init and its 40 zombies), in red (>= 80 %), and its drill-down
# says so.  Then the cgroup is filled up: 50/50 and the forks the kernel
# refused (pids.events max).  The pids controller is found in mountinfo
# (cgroup v1 "pids" hierarchy, or cgroup v2 with +pids).
# timeout: 300
# shellcheck disable=SC2317 # functions called through wait_until and trap
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tui-lib.sh
. "$(dirname "$0")/tui-lib.sh"
need_root
command -v tmux >/dev/null || bail "tmux missing (scripts/deps.sh test)"
[ -x "$PAUSETOP" ] || bail "$PAUSETOP not built"

# The pids controller: a v1 hierarchy mounted with "pids", else cgroup2.
pids_root() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { fs = $(i + 1); so = $(i + 3); break } }
	     fs == "cgroup" && so ~ /(^|,)pids(,|$)/ { print "v1", $5; exit }
	     fs == "cgroup2" { v2 = $5 }
	     END { if (v2 != "") print "v2", v2 }' /proc/self/mountinfo | head -1
}
read -r cgver root < <(pids_root)
[ -n "$root" ] || bail "no pids cgroup controller mounted (see /proc/self/mountinfo)"
if [ "$cgver" = v2 ]; then
	grep -qw pids "$root/cgroup.controllers" || bail "cgroup2 at $root has no pids controller"
	grep -qw pids "$root/cgroup.subtree_control" || echo +pids >"$root/cgroup.subtree_control" ||
		bail "cannot enable +pids in $root"
fi
cg=$root/pwtui-$$
filler=
cleanup() {
	local p
	# everything still in the test's cgroup is ours: the filler and its sleeps
	[ -n "$filler" ] && kill -KILL "$filler" 2>/dev/null
	while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$cg/cgroup.procs" 2>/dev/null
	tui_cleanup
	for _ in $(seq 100); do rmdir "$cg" 2>/dev/null && break; [ -d "$cg" ] || break; sleep 0.1; done
}
on_exit 'cleanup'
mkdir "$cg" || bail "cannot create $cg"
echo 50 >"$cg/pids.max" || bail "cannot set $cg/pids.max"
diag "pids controller: cgroup $cgver at $root"

tag=pwpids$$
# the init joins the cgroup before it forks: the cgroup holds it and its 40 zombies
ns_start p "$tag" 40 -c "$cg/cgroup.procs" || bail "the namespace did not start"
init=$(ns_init p)
is "$(ps -o stat= --ppid "$init" | awk '/^Z/ {n++} END {print n + 0}')" 40 "setup: the init has 40 zombie children"
is "$(cat "$cg/pids.current")" 41 "setup: pids.current of the cgroup is 41 (init + 40 zombies)"

tui_start -- || bail "pausetop did not draw its table"
tui_keys /
tui_keys -l "$tag"
tui_keys Enter
tui_wait "filter '$tag': 1 of" 20
# fields at 120 columns: $6 ZOMB, $13 PIDS
field() { tui_row "^$(ns_inum p) " | awk -v f="$1" '{print $f}'; }
field_is() { [ "$(field "$1")" = "$2" ]; }
current_is() { [ "$(cat "$cg/pids.current")" = "$1" ]; }
wait_until 20 field_is 13 41/50
is "$(field 13)" 41/50 "PIDS shows pids.current/pids.max: 41/50"
is "$(field 6)" 40 "ZOMB 40"
# 41/50 is 82 %: the cell is red (SGR 31) unless NO_COLOR
grep -F "$tag" <(tui_screen_esc) | grep -qE $'\e\\[[0-9;]*31m *41/50'
ok $? "41/50 (>= 80 %) is drawn in red"
tui_keys Enter
tui_wait "^PIDs: " 20
like "$(tui_screen)" "PIDs: 41/50 \(82%\), 0 forks refused at the limit" "drill-down: PID pressure"

# --- full: forks refused ----------------------------------------------------
# a shell in the cgroup forks sleeps until the kernel refuses one
sh -c 'echo $$ >"$1/cgroup.procs"; i=0; while [ $i -lt 20 ]; do sleep 600 & i=$((i+1)); done; wait' sh "$cg" \
	</dev/null >/dev/null 2>&1 &
filler=$!
refused() { awk '$1 == "max" {print $2}' "$cg/pids.events"; }
refused_some() { [ "$(refused)" -gt 0 ]; }
wait_until 20 refused_some
ok $? "setup: the kernel refused forks at the limit (pids.events max $(refused))"
# what the cgroup holds now (the shell may have given up and left)
shows_now() {
	tui_screen | grep -qE "PIDs: $(cat "$cg/pids.current")/50 \([0-9]+%\), $(refused) forks refused at the limit"
}
wait_until 20 shows_now
ok $? "drill-down: $(cat "$cg/pids.current")/50 and the $(refused) forks refused"
diag "shown: $(tui_screen | grep -E '^PIDs:')"
tui_keys q
tui_wait_exit 20
is "$TUI_RC" 0 "q exits 0"
done_testing
