#!/usr/bin/env bash
# timeout: 600
# tests/export/gone.t — a PID namespace that lost its last process keeps its
# series, with final values and pausewatch_namespace_alive 0, for the
# retention window (--keep-gone 5), then they disappear from the exporter
# and (staleness) from Prometheus.
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/export/exportlib.sh
. "$(dirname "$0")/exportlib.sh"
need_root
need_tools prometheus curl jq
[ -x "$PAUSETOP" ] || bail "pausetop not built: $PAUSETOP"
KEEP=5

start_exporter a --node-name pw-gone --keep-gone $KEEP || bail "the exporter did not start"
start_prometheus "127.0.0.1:$EXP_PORT" || bail "prometheus did not start"
start_zombie_ns 2 || bail "the zombie namespace did not start"
sel="node=\"pw-gone\",pidns=\"$NS_INUM\""
series() { scrape "$EXP_PORT" | grep -F "{$sel"; }
value() { scrape "$EXP_PORT" | grep -F "$1{$sel}" | cut -d' ' -f2; }

wait_until 60 output_is 1 value pausewatch_namespace_alive
is "$(value pausewatch_namespace_alive)" 1 "alive: pausewatch_namespace_alive 1"
is "$(value pausewatch_zombies)" 2 "with its 2 zombies"
wait_until 60 promq_is "pausewatch_namespace_alive{pidns=\"$NS_INUM\"}" 1

# the end of the namespace: its init dies, the kernel takes the zombies with it
kill -KILL "$NS_INIT" 2>/dev/null
t0=$(date +%s.%N)
wait_until 60 output_is 0 value pausewatch_namespace_alive
is "$(value pausewatch_namespace_alive)" 0 "gone: pausewatch_namespace_alive 0"
# the two children and the init itself, left for unshare's wait()
is "$(value pausewatch_zombie_exits_total)" 3 "final values kept: zombie_exits_total 3"
is "$(value pausewatch_exits_total)" 3 "final values kept: exits_total 3"
is "$(value pausewatch_zombies)" 0 "no zombie in a gone namespace"
like "$(series | grep -c .)" '^[1-9][0-9]*$' "its other series are still there"
wait_until 30 promq_is "pausewatch_namespace_alive{pidns=\"$NS_INUM\"}" 0
is "$(promq_value "pausewatch_namespace_alive{pidns=\"$NS_INUM\"}")" 0 "Prometheus sees it gone too"

# Another test's namespace may get the same inode meanwhile (inodes are
# reused at once): ours is the one whose init was $NS_INIT.
ours() { scrape "$EXP_PORT" | grep -c "^pausewatch_namespace_info{$sel,level=\"1\",init_pid=\"$NS_INIT\","; }
reused=""
deadline=$(( $(date +%s) + 120 ))
while [ "$(ours)" != 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do
	scrape "$EXP_PORT" | grep -q "^pausewatch_namespace_info{$sel,level=\"[0-9]*\",init_pid=\"[0-9]*\"" &&
		! scrape "$EXP_PORT" | grep -q "init_pid=\"$NS_INIT\"" && reused=1
	sleep 0.2
done
t1=$(date +%s.%N)
is "$(ours)" 0 "after the retention window its series disappear"
held=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
if scrape "$EXP_PORT" | grep -q "^pausewatch_namespace_alive{$sel} 1"; then
	reused=1	# a live namespace holds the inode now: it took the series over
fi
if [ -n "$reused" ]; then
	skip "not before the window (held ${held}s)" "inode $NS_INUM was reused by another namespace"
else
	ok "$(awk -v h="$held" -v k=$KEEP 'BEGIN { print (h >= k - 0.5) ? 0 : 1 }')" \
		"not before the window: held ${held}s for --keep-gone $KEEP"
fi
gone_from_prom() { test -z "$(promq "pausewatch_namespace_info{pidns=\"$NS_INUM\",init_pid=\"$NS_INIT\"}")"; }
wait_until 60 gone_from_prom
ok $? "Prometheus marks them stale: gone from queries"
done_testing
