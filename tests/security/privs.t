#!/usr/bin/env bash
# privs.t — issue 8, least privilege: pausetop needs CAP_BPF + CAP_PERFMON
# to load, and after loading keeps only CAP_BPF, CAP_SYS_PTRACE and
# CAP_DAC_READ_SEARCH (hostnames come from the BPF walk: no CAP_SYS_ADMIN);
# bounding and ambient sets cleared, no_new_privs set (userspace/privs.h
# says why each).  Under capsh with exactly those it works (a pod's pause
# running as 65535: its counters page and hostname are read); without any
# one of them it exits 3 and names what is missing.
# timeout: 300
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/security/common.sh
source "$(dirname "$0")/common.sh"
need_root
[ -x "$PAUSETOP" ] || bail "$PAUSETOP missing"
[ -x "$PAUSE" ] || bail "$PAUSE missing"
command -v capsh >/dev/null || bail "capsh missing (scripts/deps.sh test: libcap2-bin)"

# a pod: pause as uid 65535, PID 1 of its own pid and UTS namespaces
cp "$PAUSE" "$T/pause" && chmod 755 "$T/pause"
unshare -p -f -u -m --mount-proc --kill-child sh -c \
	"hostname pw-privs-pod && exec setpriv --reuid=65535 --regid=65535 --clear-groups $T/pause" \
	2>"$T/pod.err" &
pod=$!
PIDS+=("$pod")
wait_until 10 sh -c "[ -n \"\$(cat /proc/$pod/task/$pod/children)\" ]" || bail "pod did not start"
PP=$(cat "/proc/$pod/task/$pod/children")
PP=${PP// /}
PIDS+=("$PP")
wait_until 10 sh -c "ls -l /proc/$PP/fd | grep -q pause-stats" || bail "pause has no page"
diag "pod: pause host pid $PP, uid $(awk '/^Uid:/ { print $2 }' "/proc/$PP/status")"

ALL=$(capsh --print | sed -n 's/^Bounding set =//p')
LOAD="cap_bpf cap_perfmon"
SNAP="cap_sys_ptrace cap_dac_read_search"

# only CAPS... -- ARGS: run pausetop with only these capabilities (bounding
# set too, as a container would); its status in RC, output in $T/out, $T/err
only() {
	local keep=() drop
	while [ "$1" != -- ]; do keep+=(-e "$1"); shift; done
	shift
	drop=$(tr ',' '\n' <<<"$ALL" | grep -vxF "${keep[@]}" | paste -sd,)
	capsh --drop="$drop" --shell="$PAUSETOP" -- "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# row_ok WHAT PAGE HOST — the pod's row shows its page (reaped 0) and hostname
row_ok() {
	local row
	row=$(grep -E "^[0-9]+ +[0-9]+ +$PP " "$T/out" | tail -1)
	like "$row" " pause +$2 .* $3\$" "$1: the pod's row: hostname '$2', page '$3' ($row)"
}

# --- what it keeps, as root ---------------------------------------------------
"$PAUSETOP" -b -n 0 -d 1 >/dev/null 2>"$T/top.err" &
top=$!
PIDS+=("$top")
wait_until 30 grep -q '^NoNewPrivs:.*1' "/proc/$top/status"
ok $? "root: pausetop -n 0 sets no_new_privs after loading"
is "$(awk '/^CapEff:/ { print $2 }' "/proc/$top/status")" 0000008000080004 \
	"root: effective = CAP_BPF, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH"
is "$(awk '/^CapPrm:/ { print $2 }' "/proc/$top/status")" 0000008000080004 "root: permitted = effective"
is "$(awk '/^CapInh:/ { print $2 }' "/proc/$top/status")" 0000000000000000 "root: inheritable empty"
is "$(awk '/^CapBnd:/ { print $2 }' "/proc/$top/status")" 0000000000000000 "root: bounding set empty"
is "$(awk '/^CapAmb:/ { print $2 }' "/proc/$top/status")" 0000000000000000 "root: ambient set empty"
kill -TERM "$top"
wait "$top"
is "$?" 0 "root: and it still takes snapshots and exits 0 on SIGTERM"

"$PAUSETOP" -b -n 0 -d 1 --no-attribution >/dev/null 2>"$T/top.err" &
top=$!
PIDS+=("$top")
wait_until 30 grep -q '^NoNewPrivs:.*1' "/proc/$top/status"
is "$(awk '/^CapEff:/ { print $2 }' "/proc/$top/status")" 0000008000080004 \
	"--no-attribution: the same (CAP_BPF, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH)"
kill -TERM "$top"
wait "$top"

# --- exactly the needed set works -------------------------------------------
# shellcheck disable=SC2086
only $LOAD $SNAP -- -b -n 2 -d 0.2
is "$RC" 0 "capsh with CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH: exit 0 ($(head -1 "$T/err"))"
row_ok "only the needed set, hostname without CAP_SYS_ADMIN" pw-privs-pod 0
# shellcheck disable=SC2086
only $LOAD $SNAP -- -b -n 2 -d 0.2 --no-attribution
is "$RC" 0 "--no-attribution with CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH: exit 0"
like "$(grep -E "^[0-9]+ +[0-9]+ +$PP " "$T/out" | tail -1)" " 0\$" "... and the page is read"

# a running one under capsh: no CAP_SETPCAP, so its bounding set stays as capsh made it
# shellcheck disable=SC2086
only $LOAD $SNAP -- -b -n 0 -d 1 &
top=$!
PIDS+=("$top")
wait_until 30 sh -c "pgrep -P $top >/dev/null || grep -q '^NoNewPrivs:.*1' /proc/$top/status"
tp=$(pgrep -P "$top" || echo "$top")
wait_until 30 grep -q '^NoNewPrivs:.*1' "/proc/$tp/status"
ok $? "capsh: no_new_privs set"
is "$(awk '/^CapEff:/ { print $2 }' "/proc/$tp/status")" 0000008000080004 "capsh: CAP_PERFMON dropped after loading"
is "$(awk '/^CapAmb:/ { print $2 }' "/proc/$tp/status")" 0000000000000000 "capsh: ambient set empty"
kill -TERM "$tp" "$top" 2>/dev/null
wait "$top" 2>/dev/null

# --- without each one: exit 3, saying what is missing ---------------------------
while read -r missing args want; do
	keep=()
	for c in $LOAD $SNAP; do
		[ "$c" = "$missing" ] || keep+=("$c")
	done
	opts=(-b -n 1)
	[ "$args" = attrib ] || opts+=(--no-attribution)
	only "${keep[@]}" -- "${opts[@]}"
	is "$RC" 3 "without $missing: exit 3"
	grep -q "$want" "$T/err"
	ok $? "without $missing: says '$want' ($(head -c 200 "$T/err"))"
done <<'CASES'
cap_bpf noattrib missing privileges
cap_perfmon noattrib missing privileges
cap_sys_ptrace noattrib missing capability CAP_SYS_PTRACE
cap_dac_read_search noattrib missing capability CAP_DAC_READ_SEARCH
cap_sys_ptrace attrib missing capability CAP_SYS_PTRACE
CASES
done_testing
