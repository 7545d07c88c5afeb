#!/usr/bin/env bash
# tests/deploy/exporter.t — the real exporter against what deploy/ expects.
# `pausetop --listen` on loopback, then what makes every family the alert
# rules and the dashboard read appear: a namespace whose init is our pause
# reaping an orphan (pause page, reap latency histogram), a namespace whose
# init is `sleep` keeping a zombie and dropping a SIGTERM (zombie age, SIGTERM
# ignored by the init), a pids cgroup limit that refuses a fork (pids
# current/max/events).  The scrape passes `promtool check metrics`; every
# family is there, pausewatch_bpf_* only while kernel.bpf_stats_enabled is
# on (this test leaves it alone and checks either way); the values are the
# ones just caused.
# Skips, saying so, while this pausetop has no --listen (the exporter is
# being written on another branch: the test runs once it is merged).
# timeout: 180
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root

LIB=$ROOT/tests/deploy/deploylib.py
if ! "$PAUSETOP" --help 2>&1 | grep -q -- '--listen'; then
	for t in "pausetop --listen serves /metrics" "promtool check metrics on the scrape" \
		"every family the rules and the dashboard read is exported"; do
		skip "$t" "this pausetop has no --listen yet (the exporter is another branch; this test runs after the merge)"
	done
	done_testing
fi
command -v promtool >/dev/null || bail "promtool missing (scripts/deps.sh deploy)"
T=$(mktemp -d /tmp/pw-exporter.XXXXXX)
CG=
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	# what the pids cgroup holds dies too (the unshare children die a
	# moment after their parent), then the cgroup can go
	if [ -n "$CG" ] && [ -d "$CG" ]; then
		while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$CG/cgroup.procs"
		wait_until 10 rmdir "$CG"
	fi
	wait 2>/dev/null
	rm -rf "$T"
}
on_exit 'cleanup'
trap 'exit 143' TERM

port=$(/usr/bin/python3 "$LIB" freeport)
"$PAUSETOP" --listen "127.0.0.1:$port" --node-name pw-test-node >"$T/exporter.log" 2>&1 &
PIDS+=($!)
scrape() { /usr/bin/python3 "$LIB" get "http://127.0.0.1:$port/metrics" >"$T/metrics.txt"; }
wait_until 60 scrape
ok $? "pausetop --listen 127.0.0.1:$port serves /metrics" || bail "no exporter: $(tail -3 "$T/exporter.log")"

# ---- what makes the conditional families appear --------------------------------
child_of() { pgrep -P "$1" -x "$2"; }
unshare -fp --kill-child "$PAUSE" 2>/dev/null &
PIDS+=($!)
unshare -fp --kill-child sh -c 'sleep 0.1 & exec sleep 170' &
PIDS+=($!)
wait_until 10 child_of "${PIDS[1]}" pause >/dev/null && wait_until 10 child_of "${PIDS[2]}" sleep >/dev/null
PA=$(child_of "${PIDS[1]}" pause) ZS=$(child_of "${PIDS[2]}" sleep)
if [ -z "$PA" ] || [ -z "$ZS" ]; then bail "the test namespaces did not start"; fi
PA_NS=$(stat -L -c %i "/proc/$PA/ns/pid") ZS_NS=$(stat -L -c %i "/proc/$ZS/ns/pid")
zombie() { grep -q '^State:.*Z' "/proc/$(pgrep -P "$ZS" | head -1)/status"; }
wait_until 10 zombie || bail "no zombie under sleep $ZS"
# pause adopts an orphan and reaps it
nsenter -t "$PA" -p -- sh -c '(sleep 0.1 &); true'
# sleep is PID 1 of its namespace without a SIGTERM handler: the kernel drops it
kill -TERM "$ZS"
# a pids limit of 1 around sleep; a process moved in cannot fork
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then CG=/sys/fs/cgroup/pw-exporter-$$; else CG=/sys/fs/cgroup/pids/pw-exporter-$$; fi
if ! { mkdir "$CG" && echo 1 >"$CG/pids.max" && echo "$ZS" >"$CG/cgroup.procs"; }; then
	bail "cannot make the pids cgroup $CG"
fi
sh -c "echo \$\$ >'$CG/cgroup.procs'; /bin/true" 2>/dev/null
is "$(awk '$1 == "max" {print $2}' "$CG/pids.events")" 1 "the pids limit refused one fork (pids.events max 1)"

metric() { # NAME PIDNS [LABEL=VALUE] — a value from the last scrape
	awk -v n="$1" -v p="pidns=\"$2\"" -v l="${3:-}" 'index($0, n "{") == 1 && index($0, p) && index($0, l) { print $NF }' \
		"$T/metrics.txt" | head -1
}
seen() {
	scrape && [ "$(metric pausewatch_pause_reaped_total "$PA_NS")" = 1 ] &&
		[ "$(metric pausewatch_signals_ignored_by_init_total "$ZS_NS" 'signal="SIGTERM"')" = 1 ]
}
wait_until 60 seen
rc=$?
ok $rc "the scrape shows them: pause reaped 1 orphan, sleep ignored 1 SIGTERM"
[ $rc -eq 0 ] || diag "pause_reaped $(metric pausewatch_pause_reaped_total "$PA_NS"), SIGTERM ignored $(metric pausewatch_signals_ignored_by_init_total "$ZS_NS" 'signal="SIGTERM"')"
is "$(metric pausewatch_zombies "$ZS_NS")/$(metric pausewatch_pids_current "$ZS_NS")/$(metric pausewatch_pids_max "$ZS_NS")" 1/1/1 \
	"  sleep's namespace: 1 zombie, pids current 1 of max 1"
refused() { scrape && [ "$(metric pausewatch_pids_max_events_total "$ZS_NS")" = 1 ]; }
wait_until 30 refused
is "$(metric pausewatch_pids_max_events_total "$ZS_NS")" 1 "  pausewatch_pids_max_events_total 1: the fork the limit refused (pids.events max)"
grep -q "^pausewatch_namespace_info{[^}]*node=\"pw-test-node\"[^}]*pidns=\"$ZS_NS\"\|^pausewatch_namespace_info{[^}]*pidns=\"$ZS_NS\"[^}]*node=\"pw-test-node\"" "$T/metrics.txt"
ok $? "  pausewatch_namespace_info for it, with node=\"pw-test-node\" (--node-name)"

out=$(promtool check metrics <"$T/metrics.txt" 2>&1)
is "$?/$out" "0/" "promtool check metrics on the scrape: no problem"

{ /usr/bin/python3 "$LIB" rules "$ROOT/deploy/prometheus/pausewatch-rules.yml"
  /usr/bin/python3 "$LIB" dashboard "$ROOT/deploy/grafana/pausewatch.json"; } | jq -c .expr |
	/usr/bin/python3 "$LIB" names | jq -r '.[]' | sed -E 's/_(bucket|sum|count)$//' | sort -u >"$T/used"
present() { grep -qE "^$1(_bucket|_sum|_count)?[{ ]" "$T/metrics.txt"; }
# The labels deploy/ selects on, per family, and joins or groups by.
{ /usr/bin/python3 "$LIB" rules "$ROOT/deploy/prometheus/pausewatch-rules.yml"
  /usr/bin/python3 "$LIB" dashboard "$ROOT/deploy/grafana/pausewatch.json"; } | jq -c .expr >"$T/exprs"
nolabel=$(/usr/bin/python3 "$LIB" labels <"$T/exprs" | while read -r f l; do
	grep -qE "^$f\{([^}]*,)?$l=\"" "$T/metrics.txt" || { present "${f%_bucket}" && echo "$f{$l}"; }; done | tr '\n' ' ')
is "$nolabel" "" "every label the rules and the dashboard select on is on its family (e.g. disposition on pausewatch_init_signal_disposition)"
nogroup=$(/usr/bin/python3 "$LIB" grouping <"$T/exprs" | while read -r l; do
	grep -qE "^pausewatch_[a-z_]+\{([^}]*,)?$l=\"" "$T/metrics.txt" || echo "$l"; done | tr '\n' ' ')
is "$nogroup" "" "every label they join or group by is exported"
missing=$(while read -r f; do present "$f" || echo "$f"; done <"$T/used" | tr '\n' ' ')
# the bpf_* pair only while kernel.bpf_stats_enabled is on (a benchmark may have left it on)
if [ "$(cat /proc/sys/kernel/bpf_stats_enabled)" = 1 ]; then
	is "$missing" "" "all $(wc -l <"$T/used") families the rules and the dashboard read are exported (kernel.bpf_stats_enabled is 1: the bpf_* pair too)"
else
	is "$missing" "pausewatch_bpf_run_time_seconds_total pausewatch_bpf_runs_total " \
		"all $(wc -l <"$T/used") families the rules and the dashboard read are exported, but the bpf_* pair (kernel.bpf_stats_enabled is 0)"
fi

done_testing
