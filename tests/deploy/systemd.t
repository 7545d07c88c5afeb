#!/usr/bin/env bash
# tests/deploy/systemd.t — deploy/systemd/pausewatch.service: `systemd-analyze
# verify` without a warning, `systemd-analyze security` exposure, the same
# four capabilities as the DaemonSet; then what the unit grants, for real:
# pausetop run as a non-root user with exactly the unit's ambient and
# bounding capabilities and no_new_privs loads its programs and reads the
# counters page of a pause running as uid 65535, and every system call it
# makes (strace) is allowed by the unit's SystemCallFilter.  (No systemd
# runs as PID 1 here, so the unit itself is not started.)
# timeout: 180
# shellcheck disable=SC2317 # functions called through traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root

export LC_ALL=C	# sort and comm below must agree
U=$ROOT/deploy/systemd/pausewatch.service
LIB=$ROOT/tests/deploy/deploylib.py
if [ ! -x "$PAUSE" ] || [ ! -x "$PAUSETOP" ]; then bail "$PAUSE or $PAUSETOP missing (make all)"; fi
T=$(mktemp -d /tmp/pw-systemd.XXXXXX)
NS_PID='' PP='' LISTEN_PID='' STRACE_PID=''
cleanup() {
	[ -n "$LISTEN_PID" ] && kill -TERM "$LISTEN_PID" 2>/dev/null
	[ -n "$STRACE_PID" ] && wait "$STRACE_PID" 2>/dev/null
	[ -n "$PP" ] && kill -TERM "$PP" 2>/dev/null
	[ -n "$NS_PID" ] && wait "$NS_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
on_exit 'cleanup'
trap 'exit 143' TERM

key() { sed -n "s/^$1=//p" "$U"; }
# The unit as installed, with ExecStart pointing at the binary under test.
sed "s|/usr/local/bin/pausetop|$PAUSETOP|" "$U" >"$T/pausewatch.service"

# ---- the unit file -----------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify "$T/pausewatch.service" 2>&1)
	rc=$?
	is "$rc/$out" "0/" "systemd-analyze verify: no error, no warning"
	printf '[Service]\nExecStart=/bin/true\nProtectSytem=strict\n' >"$T/typo.service"
	like "$(systemd-analyze verify "$T/typo.service" 2>&1)" "Unknown key 'ProtectSytem'" "(a misspelt key is reported: the check can fail)"
	sec=$(systemd-analyze security --offline=yes "$T/pausewatch.service" 2>&1 | sed -n 's/.*Overall exposure level for pausewatch.service: \([0-9.]*\).*/\1/p')
	awk -v s="$sec" 'BEGIN { exit !(s != "" && s <= 2.5) }'
	ok $? "systemd-analyze security --offline: exposure $sec (at most 2.5 of 10)"
else
	# No systemd here: at least every line is a section, a comment or Key=Value.
	bad=$(grep -vE '^(#.*|\[[A-Za-z]+\]|[A-Za-z]+=.*|)$' "$U")
	is "$bad" "" "every line of the unit is a section, a comment or Key=Value (no systemd-analyze)"
	skip "a misspelt key is reported" "no systemd-analyze"
	skip "systemd-analyze security" "no systemd-analyze"
fi
is "$(key ExecStart)" "/usr/local/bin/pausetop --listen 127.0.0.1:9810" "ExecStart: --listen on loopback (another address must be asked for)"
is "$(key DynamicUser)/$(key NoNewPrivileges)/$(key ProtectSystem)" "yes/yes/strict" "DynamicUser, NoNewPrivileges, ProtectSystem=strict"
caps=$(key CapabilityBoundingSet)
is "$(key AmbientCapabilities)" "$caps" "AmbientCapabilities = CapabilityBoundingSet"
ds_caps=$(/usr/bin/python3 "$LIB" manifests "$ROOT/deploy/kubernetes" | jq -r '.caps_add | map("CAP_" + .) | join(" ")')
is "$caps" "$ds_caps" "the same four capabilities as the DaemonSet: $caps"

# ---- what the unit grants, for real ------------------------------------------------
# setpriv's names: lower case without CAP_.
set_caps=$(tr ' ' '\n' <<<"$caps" | sed 's/^CAP_//' | tr '[:upper:]' '[:lower:]' | sed 's/^/+/' | paste -sd,)
as_unit() { # CAPS — the command prefix: a non-root user, these capabilities only, no_new_privs
	UNIT=(setpriv --reuid 61234 --regid 61234 --clear-groups --inh-caps="-all,$1" --ambient-caps="-all,$1"
		--bounding-set="-all,$1" --no-new-privs --)
}
unshare -fp -- setpriv --reuid 65535 --regid 65535 --clear-groups "$PAUSE" 2>/dev/null &
NS_PID=$!
wait_until 10 sh -c "pgrep -P $NS_PID -x pause >/dev/null"
PP=$(pgrep -P "$NS_PID" -x pause)
[ -n "$PP" ] || bail "no pause started"
PIDNS=$(stat -L -c %i "/proc/$PP/ns/pid")

as_unit "$set_caps"
strace -f -qq -o "$T/strace" -- "${UNIT[@]}" "$PAUSETOP" --json >"$T/out.json" 2>"$T/err"
rc=$?
is "$rc" 0 "pausetop --json as uid 61234 with ambient $set_caps and no_new_privs: exit 0"
[ "$rc" -eq 0 ] || diag "$(head -3 "$T/err")"
is "$(jq -r --argjson ns "$PIDNS" '.namespaces[] | select(.pidns == $ns) | "\(.init_comm) \(.pause.reaped_total)"' "$T/out.json")" "pause 0" \
	"  it reads the counters page of pause (uid 65535, pid $PP)"
as_unit "${set_caps/+perfmon,/}"
"${UNIT[@]}" "$PAUSETOP" --json >/dev/null 2>&1
is "$?" 3 "(without CAP_PERFMON: exit 3, missing privileges)"

# Every system call pausetop made (after its execve) is allowed by the unit.
expand() { # GROUP-OR-NAME... — system call names
	local x
	for x in "$@"; do
		# shellcheck disable=SC2046 # one argument per name
		case $x in
		@*) expand $(systemd-analyze syscall-filter "$x" 2>/dev/null | sed -n 's/^ \+\([-@a-z0-9_]\+\)$/\1/p') ;;
		*) echo "$x" ;;
		esac
	done
}
syscalls_of() { # STRACE-FILE — the calls of pausetop and its threads, from its execve
	awk -v p="$PAUSETOP" '
		index($0, "execve(\"" p "\"") { mine[$1] = 1 }
		!($1 in mine) { next }
		/^[0-9]+ +(clone|clone3|fork|vfork)\(.*= [0-9]+$/ { mine[$NF] = 1 }
		{ sub(/^[0-9]+ +/, ""); if (match($0, /^[a-z0-9_]+\(/)) print substr($0, 1, RLENGTH - 1) }' "$1" | sort -u
}
if command -v systemd-analyze >/dev/null && command -v strace >/dev/null; then
	mapfile -t filters < <(key SystemCallFilter)
	# shellcheck disable=SC2086 # word splitting of the filter lists is intended
	allowed=$(comm -23 <(expand ${filters[0]} | sort -u) <(expand ${filters[1]#\~} | sort -u))
	syscalls_of "$T/strace" >"$T/used"
	is "$(comm -23 "$T/used" <(echo "$allowed") | tr '\n' ' ')" "" \
		"all $(wc -l <"$T/used") system calls of pausetop --json are allowed by SystemCallFilter"
	diag "used: $(tr '\n' ' ' <"$T/used")"
	is "$(comm -23 <(printf 'bpf\ninit_module\nmount\n') <(echo "$allowed") | tr '\n' ' ')" "init_module mount " \
		"(the filter allows bpf, not mount or init_module: the comparison can fail)"
else
	skip "system calls allowed by SystemCallFilter" "no systemd-analyze or strace"
	skip "the filter comparison can fail" "no systemd-analyze or strace"
fi

# With the exporter, the unit's own ExecStart (on a free port), scraped once.
if "$PAUSETOP" --help 2>&1 | grep -q -- '--listen'; then
	port=$(/usr/bin/python3 "$LIB" freeport)
	read -ra cmd <<<"$(key ExecStart | sed "s|/usr/local/bin/pausetop|$PAUSETOP|; s|:9810|:$port|")"
	as_unit "$set_caps"
	strace -f -qq -o "$T/strace-listen" -- "${UNIT[@]}" "${cmd[@]}" >"$T/listen.out" 2>&1 &
	STRACE_PID=$!
	wait_until 10 sh -c "pgrep -P $STRACE_PID >/dev/null"
	LISTEN_PID=$(pgrep -P "$STRACE_PID")	# setpriv, then pausetop: one pid
	scraped() { /usr/bin/python3 "$LIB" get "http://127.0.0.1:$port/metrics" >"$T/metrics.txt"; }
	wait_until 60 scraped
	ok $? "the unit's ExecStart, as the unit's user: /metrics answers on 127.0.0.1:$port"
	grep -q "^pausewatch_namespace_info{.*pidns=\"$PIDNS\"" "$T/metrics.txt"
	ok $? "  and lists pause's namespace"
	kill -TERM "$LISTEN_PID"
	wait "$STRACE_PID"	# strace exits with its command's status
	is "$?" 0 "  SIGTERM: exit 0"
	LISTEN_PID=
	syscalls_of "$T/strace-listen" >"$T/used-listen"
	is "$(comm -23 "$T/used-listen" <(echo "$allowed") | tr '\n' ' ')" "" \
		"all $(wc -l <"$T/used-listen") system calls of the exporter are allowed by SystemCallFilter"
else
	skip "the unit's ExecStart serves /metrics" "this pausetop has no --listen yet (the exporter is another branch)"
	skip "  and lists pause's namespace" "no --listen yet"
	skip "  SIGTERM: exit 0" "no --listen yet"
	skip "the exporter's system calls are allowed" "no --listen yet"
fi

done_testing
