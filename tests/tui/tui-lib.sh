# tests/tui/tui-lib.sh — drive pausetop's live view in a real tmux, with real
# PID namespaces.  Source after tests/lib.sh.
#
#   tui_start [ENV=VAL...] -- PAUSETOP-ARGS...   pausetop in a private tmux server (120x40)
#   tui_screen                                    the pane as text
#   tui_wait REGEX [SECONDS]                      poll the pane until it matches
#   tui_keys KEY...                               tmux send-keys
#   tui_pid                                       pausetop's pid
#   tui_wait_exit [SECONDS]                       until pausetop has exited; its status in $TUI_RC
#   ns_start NAME HOSTNAME ZOMBIES [NSFIX-OPTS]   a PID namespace (tests/tui/nsfix.c) whose init,
#                                                 sleep, has exactly ZOMBIES zombie children; -t: an
#                                                 init that catches SIGTERM instead
#   ns_init NAME / ns_inum NAME                   its init's host pid / its pid namespace inode
#   tui_cleanup                                   (trap EXIT) kills everything started here
# shellcheck shell=bash

: "${NSFIX:=$BUILD/tests/tui_nsfix}"
TUI_SOCK=pw-tui-$$
TUI_DIR=$(mktemp -d /tmp/pw-tui.XXXXXX)
TUI_RC=	# pausetop's exit status, set by tui_wait_exit (read by the tests)
export TUI_RC
declare -A NS_INIT=()
NS_PIDS=()

tmux_() { tmux -L "$TUI_SOCK" -f /dev/null "$@"; }

# The pane runs this: terminal state before and after pausetop, its exit
# status, then it stays, so the screen can be inspected after the exit.
cat >"$TUI_DIR/wrap.sh" <<'EOF'
#!/bin/bash
dir=$1
shift
echo $$ >"$dir/wrap.pid"
stty -g >"$dir/stty.before"
echo "BEFORE-PAUSETOP-MARKER"
while [ -e "$dir/hold" ]; do sleep 0.05; done	# until the test has attached pipe-pane
"$@"
rc=$?
stty -g >"$dir/stty.after"
echo $rc >"$dir/rc.tmp"
mv "$dir/rc.tmp" "$dir/rc"
echo "AFTER-PAUSETOP-MARKER rc=$rc"
exec sleep 3600
EOF
chmod +x "$TUI_DIR/wrap.sh"

# TUI_RAW=FILE: everything pausetop writes to the terminal is also logged to
# FILE (tmux pipe-pane, attached before pausetop starts).
tui_start() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -f "$TUI_DIR/rc" "$TUI_DIR/wrap.pid" "$TUI_DIR/stty."*
	[ -n "${TUI_RAW:-}" ] && touch "$TUI_DIR/hold"
	tmux_ kill-server 2>/dev/null
	# a server still shutting down refuses the new session for a moment
	local tries=0
	until tmux_ new-session -d -x 120 -y 40 \
		env LANG=C.UTF-8 LC_ALL= "${envs[@]}" "$TUI_DIR/wrap.sh" "$TUI_DIR" "$PAUSETOP" --tui "$@" 2>/dev/null; do
		tries=$((tries + 1))
		[ "$tries" -lt 50 ] || return 1
		sleep 0.1
	done
	wait_until 10 test -s "$TUI_DIR/wrap.pid" || return 1
	if [ -n "${TUI_RAW:-}" ]; then
		tmux_ pipe-pane -o "cat >>'$TUI_RAW'" || return 1
		rm -f "$TUI_DIR/hold"
	fi
	# the first snapshot is drawn when the heading appears
	tui_wait '^PIDNS +INIT|^NODE +PIDNS' 60
}

tui_screen() { tmux_ capture-pane -p; }
tui_screen_esc() { tmux_ capture-pane -p -e; }
tui_keys() { tmux_ send-keys "$@"; }
tui_fmt() { tmux_ display -p "$1"; }

tui_wait() {
	local re=$1 secs=${2:-20}
	local deadline=$(( $(date +%s) + secs ))
	while :; do
		tui_screen 2>/dev/null | grep -Eq -- "$re" && return 0
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

tui_pid() { pgrep -P "$(cat "$TUI_DIR/wrap.pid")" -x pausetop; }

tui_wait_exit() {
	wait_until "${1:-20}" test -s "$TUI_DIR/rc" || return 1
	TUI_RC=$(cat "$TUI_DIR/rc")
}

# Is the terminal as pausetop found it?  stty state, the normal screen with
# what was printed before, a visible cursor, the keypad in normal mode.
tui_check_restored() {
	local how=$1
	is "$(cat "$TUI_DIR/stty.after" 2>/dev/null)" "$(cat "$TUI_DIR/stty.before")" \
		"$how: stty -g after equals stty -g before"
	wait_until 10 sh -c "tmux -L $TUI_SOCK -f /dev/null capture-pane -p | grep -q AFTER-PAUSETOP-MARKER"
	tui_screen | grep -q BEFORE-PAUSETOP-MARKER
	ok $? "$how: the normal screen is back (what was printed before pausetop shows)"
	is "$(tui_fmt '#{alternate_on} #{cursor_flag} #{keypad_cursor_flag} #{keypad_flag}')" "0 1 0 0" \
		"$how: alternate screen off, cursor visible, cursor and keypad keys in normal mode"
}

# Row of the table whose text matches REGEX (the first).
tui_row() { tui_screen | grep -E -- "$1" | head -1; }

ns_start() {
	local name=$1 host=$2 n=$3 out
	shift 3
	out=$TUI_DIR/ns.$name
	"$NSFIX" -z "$n" -H "$host" "$@" >"$out" 2>"$out.err" </dev/null &
	NS_PIDS+=($!)
	wait_until 60 test -s "$out" || { diag "tui_nsfix: $(cat "$out.err")"; return 1; }
	NS_INIT[$name]=$(cat "$out")
	# ready: -t traps SIGTERM; otherwise the init has exec'd and its N children are zombies
	if [[ " $* " == *" -t "* ]]; then
		wait_until 60 sig_caught "${NS_INIT[$name]}" 15
	else
		wait_until 60 ns_ready "$name" "$n"
	fi
}

ns_ready() {
	local init=${NS_INIT[$1]}
	[ "$(readlink "/proc/$init/exe")" != "$(readlink -f "$NSFIX")" ] &&
		[ "$(ps -o stat= --ppid "$init" | awk '/^Z/ {n++} END {print n + 0}')" = "$2" ]
}

# sig_caught PID SIG — the process has a handler for SIG (SigCgt in /proc/PID/status)
sig_caught() {
	local mask
	mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$mask" ] && (( (16#$mask >> ($2 - 1)) & 1 ))
}

ns_init() { echo "${NS_INIT[$1]}"; }
ns_inum() { stat -L -c %i "/proc/${NS_INIT[$1]}/ns/pid"; }
# the host pids of an init's zombie children, sorted
ns_zombies() { ps -o pid=,stat= --ppid "${NS_INIT[$1]}" | awk '$2 ~ /^Z/ {print $1}' | sort -n; }

# What every live-view test needs before it starts (root, tmux, a built
# pausetop), and its cleanup on every way out.
tui_require() {
	need_root
	command -v tmux >/dev/null || bail "tmux missing (scripts/deps.sh test)"
	[ -x "$PAUSETOP" ] || bail "$PAUSETOP not built"
	on_exit 'tui_cleanup'
}

tui_cleanup() {
	local p
	tmux_ kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_SOCK"
	for p in "${NS_INIT[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${NS_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$TUI_DIR"
}
