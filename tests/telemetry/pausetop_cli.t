#!/usr/bin/env bash
# timeout: 300
# pausetop's command line and JSON face against real namespaces.
. "$(dirname "$0")/../lib.sh"
need_root
[ -x "$PAUSETOP" ] || bail "pausetop not built: $PAUSETOP"
command -v jq >/dev/null || bail "jq missing (scripts/deps.sh test)"

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	umount "$tmp/btf" 2>/dev/null
	rm -rf "$tmp"
}
on_exit 'cleanup'

# --- options -----------------------------------------------------------
"$PAUSETOP" --help >"$tmp/out" 2>&1; rc=$?
is "$rc" 0 "--help exits 0"
like "$(head -1 "$tmp/out")" '^Usage: pausetop' "--help prints usage"
is "$("$PAUSETOP" --version)" "pausetop $(make -s --no-print-directory -C "$ROOT" -f - <<<'include Makefile
print-version: ; @echo $(VERSION)' print-version 2>/dev/null)" "--version prints the version"
for bad in "--bogus" "-n abc" "-n -1" "-d 0" "-d x" "--exit-variant nope" "--attach nope" "--max-zombies 0" "extra" \
	"--max-connections 5" "--max-connections-per-ip 5 -b" "--http-timeout 5 --metrics"; do
	# shellcheck disable=SC2086
	"$PAUSETOP" $bad >/dev/null 2>"$tmp/err"; rc=$?
	is "$rc" 2 "bad input '$bad' exits 2"
	[ -s "$tmp/err" ]; ok $? "bad input '$bad' says why on stderr"
done
# two outputs asked for: refused, not the last one silently (found by review)
for bad in "-b -j" "-j -b" "--pretty -b" "--tui --json"; do
	# shellcheck disable=SC2086
	"$PAUSETOP" $bad >"$tmp/out" 2>"$tmp/err"; rc=$?
	is "$rc" 2 "'$bad' exits 2"
	like "$(head -1 "$tmp/err")" "choose different outputs" "'$bad' says the two options conflict"
	is "$(wc -c <"$tmp/out")" 0 "'$bad' prints no snapshot"
done
"$PAUSETOP" --json --pretty -n 1 >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 0 "--json --pretty agree: exit 0"
jq -e . "$tmp/out" >/dev/null; ok $? "--json --pretty prints JSON"
# a terminal that cannot move its cursor: a message, not a screen of spaces
if command -v script >/dev/null; then
	TERM=dumb script -qec "$PAUSETOP -n 1 -d 0.2; echo RC=\$?" /dev/null </dev/null >"$tmp/out" 2>&1
	like "$(tr -d '\r' <"$tmp/out")" "^pausetop: cannot start the live view: terminal type 'dumb' cannot move the cursor.*use -b" \
		"TERM=dumb on a terminal: the live view says it cannot move the cursor"
	like "$(tr -d '\r' <"$tmp/out")" "RC=1\$" "... and exits 1"
else
	skip "TERM=dumb on a terminal" "script(1) missing"
fi

# --- a namespace with zombies, a hostname and a known init --------------
# sleep 60 (PID 1 after exec) never waits, so its two children stay zombies.
unshare -fpu sh -c 'hostname pw-cli-test; sleep 0.1 & sleep 0.1 & exec sleep 60' &
pids+=($!)
init=""
for _ in $(seq 100); do
	init=$(pgrep -f -n '^sleep 60$' || true)
	[ -n "$init" ] && [ "$(ps -o stat= --ppid "$init" | grep -c Z)" = 2 ] && break
	sleep 0.05
done
[ -n "$init" ] || bail "test namespace did not start"
pids+=("$init")	# killing unshare does not end the namespace's init
inum=$(stat -L -c %i "/proc/$init/ns/pid")

# a table large enough that zombies of other work on the machine cannot crowd ours out
"$PAUSETOP" --json --max-zombies 1048576 >"$tmp/one.json" 2>"$tmp/err"; rc=$?
is "$rc" 0 "--json exits 0"
jq -e . "$tmp/one.json" >/dev/null; ok $? "--json prints valid JSON"
is "$(wc -l <"$tmp/one.json")" 1 "one snapshot is one line"
for k in namespaces zombies dropped collector time; do
	is "$(jq -r "has(\"$k\")" "$tmp/one.json")" true "top-level key $k"
done
for k in pidns init_pid init_comm hostname container_id zombies oldest_zombie_age_seconds \
	exits_total reaped_total autoreaped_total orphans_total orphans_by_reaper \
	signals_generated signals_ignored_by_init pause; do
	is "$(jq -r ".namespaces[0] | has(\"$k\")" "$tmp/one.json")" true "namespace key $k"
done
host=$(stat -L -c %i /proc/self/ns/pid)
is "$(jq -r ".namespaces[] | select(.pidns == $host) | \"\(.level) \(.init_pid)\"" "$tmp/one.json")" \
	"0 1" "the host namespace: level 0, init pid 1"
ns() { jq -c ".namespaces[] | select(.pidns == $inum and .alive)" "$tmp/one.json"; }
is "$(ns | jq -r .init_pid)" "$init" "test namespace: init_pid is the host pid of its PID 1"
is "$(ns | jq -r .init_comm)" sleep "test namespace: init_comm"
is "$(ns | jq -r .hostname)" pw-cli-test "test namespace: hostname from its UTS namespace"
is "$(ns | jq -r .zombies)" 2 "test namespace: 2 zombies"
is "$(ns | jq -r .oldest_zombie_age_is_lower_bound)" true "they predate pausetop: age is a lower bound"
is "$(jq -c "[.zombies[] | select(.pidns == $inum) | .pid_in_ns] | sort" "$tmp/one.json")" "[3,4]" \
	"zombie rows: pids 3 and 4 inside the namespace (hostname was 2)"
is "$(jq -r "[.zombies[] | select(.pidns == $inum) | \"\(.comm):\(.ppid):\(.parent_comm):\(.exit_code)\"] | unique | .[]" "$tmp/one.json")" \
	"sleep:$init:sleep:0" "zombie rows: comm, parent and exit code"

# --- counters start with pausetop: SIGTERM to that init while it runs ----
"$PAUSETOP" --json -n 3 -d 0.5 >"$tmp/three.json" 2>"$tmp/err" &
top=$!
pids+=($top)
wait_until 10 test -s "$tmp/three.json"; ok $? "first snapshot appears"
kill -TERM "$init"
wait "$top"; rc=$?
is "$rc" 0 "-n 3 exits 0"
is "$(wc -l <"$tmp/three.json")" 3 "-n 3 prints 3 lines"
is "$(jq -s 'length' "$tmp/three.json")" 3 "each line is one JSON document"
is "$(tail -1 "$tmp/three.json" | jq ".namespaces[] | select(.pidns == $inum and .alive) | .signals_ignored_by_init.SIGTERM")" 1 \
	"SIGTERM to an init without a handler: signals_ignored_by_init.SIGTERM 1"
is "$(tail -1 "$tmp/three.json" | jq ".namespaces[] | select(.pidns == $inum and .alive) | .signals_generated.SIGTERM.ignored")" 1 \
	"signals_generated.SIGTERM.ignored 1"
kill -0 "$init" 2>/dev/null; ok $? "and the init is still running"

# --- stopping and broken pipes -------------------------------------------
"$PAUSETOP" --json -n 0 -d 0.2 >/dev/null 2>"$tmp/err" &
top=$!
sleep 1
kill -TERM "$top"
wait "$top"; rc=$?
is "$rc" 0 "SIGTERM ends an endless run with 0"
"$PAUSETOP" --json -n 0 -d 0.1 2>"$tmp/err" | head -c 10 >/dev/null
is "${PIPESTATUS[0]}" 0 "a closed pipe ends pausetop quietly"
is "$(cat "$tmp/err")" "" "without an error message"

# --- batch table ------------------------------------------------------------
"$PAUSETOP" -b >"$tmp/table" 2>&1; rc=$?
is "$rc" 0 "batch mode exits 0"
like "$(sed -n 3p "$tmp/table")" '^PIDNS +LVL +INIT +COMM' "batch mode prints a table header after the two summary lines"

# --- failure modes: documented message and exit code ------------------------
setpriv --reuid 65534 --regid 65534 --clear-groups "$PAUSETOP" --json >/dev/null 2>"$tmp/err"; rc=$?
is "$rc" 3 "without privileges: exit 3"
like "$(cat "$tmp/err")" "missing privileges" "without privileges: says so"
mkdir -p "$tmp/btf"
unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf && exec '$PAUSETOP' --json" >/dev/null 2>"$tmp/err"; rc=$?
is "$rc" 4 "kernel without BTF: exit 4"
like "$(cat "$tmp/err")" "no BTF" "kernel without BTF: says so"
if [ "$(uname -r | cut -d. -f1-2 | awk -F. '{print ($1*100+$2 >= 616)}')" = 1 ]; then
	skip "forcing the 6.16 exit program on an older kernel fails with 5" "kernel $(uname -r) has group_dead"
else
	"$PAUSETOP" --json --exit-variant v616 >/dev/null 2>"$tmp/err"; rc=$?
	is "$rc" 5 "forcing the 6.16 exit program on kernel $(uname -r): exit 5"
	like "$(cat "$tmp/err")" "refused" "and the message says the kernel refused it"
fi
done_testing
