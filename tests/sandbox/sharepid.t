#!/usr/bin/env bash
# tests/sandbox/sharepid.t — a --share-pid sandbox: workloads join pause's PID
# namespace and see pause as PID 1; the orphans a workload leaves are reaped
# by pause (no zombie stays), and pause's counters page counts them exactly.
# pausetop --json (when build/pausetop exists) shows the namespace with
# hostname NAME.
# timeout: 180
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
SUBNET_OCTET=102
# shellcheck source=tests/sandbox/sandbox-lib.sh
. "$(dirname "$0")/sandbox-lib.sh"

PAUSESTAT=${PAUSESTAT:-$BUILD/pausestat}
NAME=$PREFIX-share

psb run "$NAME" --share-pid
is "$RC" 0 "run $NAME --share-pid exits 0"
[ "$RC" -eq 0 ] || { diag "$OUT"; bail "sandbox did not start"; }
like "$OUT" "address: none" "without --net the pod has loopback only"
P=$(pause_pid "$NAME")
PIDNS=$(stat -L -c %i "/proc/$P/ns/pid")

# zombies_in_pidns — host pids of zombies whose pid namespace is pause's
# (ps reads /proc/PID/ns/pid for the pidns column)
zombies_in_pidns() { ps -e -o stat=,pidns=,pid= | awk -v ns="$PIDNS" '$2 == ns && $1 ~ /^Z/ {print $3}'; }
in_pidns() { ps -e -o pidns=,pid= | awk -v ns="$PIDNS" '$1 == ns {print $2}'; }
# children_of PID — host pids whose parent is PID (ps copes with processes
# that vanish while it looks, unlike awk over /proc/*/stat)
children_of() { ps -o pid= --ppid "$1" | tr -d ' '; }
# children_cmp PID OP N — e.g. children_cmp 123 -ge 3 (for wait_until)
# shellcheck disable=SC2317 # called through wait_until
children_cmp() { test "$(children_of "$1" | grep -c .)" "$2" "$3"; }
counter() { "$PAUSESTAT" "$P" --json | jq -r "$1"; }

# --- a workload in pause's PID namespace sees pause as PID 1 -------------------
psb join "$NAME" -- sh -c 'cat /proc/1/comm; echo "me $$"; exec sleep 1000'
is "$RC" 0 "join workload 1"
like "$OUT" "\(pid [0-9]+ in its pid namespace, shared with pause\)" "join says the pid namespace is shared"
W1=$(wl_pid "$NAME" 1)
for t in net ipc uts pid; do
	is "$(ns_of "$W1" "$t")" "$(ns_of "$P" "$t")" "workload shares pause's $t namespace"
done
[ "$(ns_of "$W1" mnt)" != "$(ns_of "$P" mnt)" ]
ok $? "workload has its own mount namespace"
wait_until 30 sh -c "[ \$(wc -l <'$(wl_file "$NAME" 1 log)') -ge 2 ]"
is "$(head -n 1 "$(wl_file "$NAME" 1 log)")" pause "the workload sees pause as PID 1 (/proc/1/comm)"
is "$(sed -n 's/^me //p' "$(wl_file "$NAME" 1 log)")" "$(awk '/^NSpid:/ {print $NF}' "/proc/$W1/status")" \
	"the workload's own pid is its pid in pause's namespace"
is "$(nsenter --uts="/proc/$W1/ns/uts" hostname)" "$NAME" "the workload's hostname is NAME"

# --- orphans --------------------------------------------------------------------
if [ -x "$PAUSESTAT" ]; then
	is "$(counter .reaped_total)" 0 "pausestat: pause has reaped nothing yet"
else
	skip "pausestat: pause has reaped nothing yet" "$PAUSESTAT not built"
fi
# The subshell forks three sleepers and exits at once: they are orphans, and
# in pause's PID namespace the reaper of orphans is its init, pause.  Exit
# statuses 0, 3 and SIGTERM-by-itself make three different outcomes.
psb join "$NAME" -- sh -c '(sleep 2 & (sleep 2; exit 3) & sh -c "sleep 2; kill -TERM \$\$" &); exec sleep 1000'
is "$RC" 0 "join workload 2 (leaves three orphans)"
W2=$(wl_pid "$NAME" 2)
wait_until 30 children_cmp "$P" -ge 3
ok $? "the three orphans were re-parented to pause (host pid $P)"
wait_until 60 children_cmp "$P" -eq 0
ok $? "the orphans exited and are gone"
is "$(children_of "$P" | tr '\n' ' ')" "" "pause has no children left (no zombie under pause)"
is "$(zombies_in_pidns | tr '\n' ' ')" "" "no zombie anywhere in pause's PID namespace"
is "$(in_pidns | sort -n | tr '\n' ' ')" "$(printf '%s\n' "$P" "$W1" "$W2" | sort -n | tr '\n' ' ')" \
	"what is left in pause's PID namespace: pause and the two workloads (ps sees the namespace)"
if [ -x "$PAUSESTAT" ]; then
	J=$("$PAUSESTAT" "$P" --json)
	is "$(jq -r .mode <<<"$J")" pause "pausestat: pause runs in pause mode"
	is "$(jq -r .pid <<<"$J")" 1 "pausestat: pause is PID 1 of its namespace"
	is "$(jq -r .reaped_total <<<"$J")" 3 "pausestat: reaped_total counts the three orphans exactly"
	is "$(jq -r .reaped_exit_zero <<<"$J")" 1 "pausestat: one exited 0"
	is "$(jq -r .reaped_exit_nonzero <<<"$J")" 1 "pausestat: one exited 3"
	is "$(jq -r .reaped_signaled <<<"$J")" 1 "pausestat: one was killed by a signal"
	is "$(jq -r .last_reap.pid <<<"$J" | grep -c '^[1-9][0-9]*$')" 1 "pausestat: last reap has a pid in pause's namespace"
else
	for d in mode pid reaped_total reaped_exit_zero reaped_exit_nonzero reaped_signaled last_reap; do
		skip "pausestat: $d" "$PAUSESTAT not built"
	done
fi

# --- pausetop (the collector's face) --------------------------------------------
if [ -x "$PAUSETOP" ]; then
	T=$("$PAUSETOP" --json 2>"$T_TMP/pausetop.err")
	rc=$?
	is "$rc" 0 "pausetop --json exits 0"
	[ "$rc" -eq 0 ] || diag "$(head -5 "$T_TMP/pausetop.err")"
	is "$(jq -r --argjson ns "$PIDNS" '.namespaces[] | select(.pidns == $ns) | .hostname' <<<"$T" 2>/dev/null)" "$NAME" \
		"pausetop shows the sandbox's PID namespace with hostname NAME"
	is "$(jq -r --argjson ns "$PIDNS" '.namespaces[] | select(.pidns == $ns) | .init_comm' <<<"$T" 2>/dev/null)" pause \
		"pausetop shows pause as that namespace's init"
else
	skip "pausetop shows the sandbox's PID namespace with hostname NAME" "$PAUSETOP not built yet"
fi

# --- rm: workloads first (SIGTERM works: they are not PID 1 here), then pause -----
psb rm "$NAME"
is "$RC" 0 "rm exits 0"
like "$OUT" "workload podsandbox-$NAME-1: killed 15 \\(SIGTERM\\)" "workload 1 ended by SIGTERM (not PID 1 in a shared namespace)"
like "$OUT" "workload podsandbox-$NAME-2: killed 15 \\(SIGTERM\\)" "workload 2 ended by SIGTERM"
like "$OUT" "pause $P: exited 0 — \"Shutting down, got signal: Terminated\"" "pause exited 0"
is "$(left_behind "$NAME")" "" "rm left nothing behind"
[ ! -e "/proc/$P" ] && [ ! -e "/proc/$W1" ] && [ ! -e "/proc/$W2" ]
ok $? "pause and workloads are gone"
done_testing
