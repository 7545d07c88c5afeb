#!/usr/bin/env bash
# timeout: 600
# tests/export/cluster.t — "beyond one node": two exporters with their own
# --node-name, one real Prometheus scraping both, and `pausetop --prometheus`
# showing both nodes' rows (batch table with a NODE column, JSON with node),
# without BPF and without privileges.
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/export/exportlib.sh
. "$(dirname "$0")/exportlib.sh"
need_root
need_tools prometheus curl jq
[ -x "$PAUSETOP" ] || bail "pausetop not built: $PAUSETOP"
t=$EXPORT_TMP

start_exporter a --node-name pw-node-a || bail "exporter a did not start"
PA=$EXP_PORT
start_exporter b --node-name pw-node-b || bail "exporter b did not start"
PB=$EXP_PORT
start_prometheus "127.0.0.1:$PA" "127.0.0.1:$PB" || bail "prometheus did not start"
start_zombie_ns 3 || bail "the zombie namespace did not start"
both() { promq_is "count(pausewatch_zombies{pidns=\"$NS_INUM\"} == 3)" 2; }
wait_until 60 both; ok $? "Prometheus has pausewatch_zombies{pidns=\"$NS_INUM\"} == 3 from both nodes"

# --- the batch table ----------------------------------------------------------------
"$PAUSETOP" --prometheus "$PROM" -b >"$t/table" 2>"$t/err"; rc=$?
is "$rc" 0 "pausetop --prometheus -b: exit 0"
like "$(head -1 "$t/table")" '^pausetop: [0-9]+ pid namespaces' "the summary line"
like "$(sed -n 3p "$t/table")" '^NODE +PIDNS +LVL +INIT +COMM' "a NODE column first"
for n in a b; do
	row=$(grep -E "^pw-node-$n +$NS_INUM " "$t/table")
	like "$row" "^pw-node-$n +$NS_INUM +1 +$NS_INIT python3 +pw-zombies +3 " \
		"node $n: the namespace's row (init, comm, hostname, 3 zombies)"
done
is "$(grep -cE '^pw-node-[ab] ' "$t/table")" "$(( $(grep -cE '^pw-node-a ' "$t/table") * 2 ))" \
	"every namespace once per node (both exporters watch the same kernel)"

# --- JSON ----------------------------------------------------------------------------
"$PAUSETOP" --prometheus "$PROM" --json >"$t/json" 2>"$t/err"; rc=$?
is "$rc" 0 "pausetop --prometheus --json: exit 0"
is "$(jq -c "[.namespaces[] | select(.pidns == $NS_INUM) | {node, zombies, init_comm, hostname}] | sort_by(.node)" "$t/json")" \
	"[{\"node\":\"pw-node-a\",\"zombies\":3,\"init_comm\":\"python3\",\"hostname\":\"pw-zombies\"},{\"node\":\"pw-node-b\",\"zombies\":3,\"init_comm\":\"python3\",\"hostname\":\"pw-zombies\"}]" \
	"JSON: the namespace on both nodes"
is "$(jq -r '.collector.exit_variant' "$t/json")" "$("$PAUSETOP" --json | jq -r .collector.exit_variant)" \
	"the nodes' exit program, from build_info"

# --- counters follow: the init reaps --------------------------------------------------
kill -USR1 "$NS_INIT"
reaped() { promq_is "count(pausewatch_reaped_total{pidns=\"$NS_INUM\"} == 3)" 2; }
wait_until 60 reaped
"$PAUSETOP" --prometheus "$PROM" --json | jq -c "[.namespaces[] | select(.pidns == $NS_INUM) | [.node, .zombies, .reaped_total]] | sort" >"$t/after"
is "$(cat "$t/after")" '[["pw-node-a",0,3],["pw-node-b",0,3]]' "after the reap: 0 zombies, 3 reaped, on both nodes"

# --- no privileges needed; errors ---------------------------------------------------------
setpriv --reuid 65534 --regid 65534 --clear-groups "$PAUSETOP" --prometheus "$PROM" -b >"$t/nobody" 2>&1; rc=$?
is "$rc" 0 "as nobody (no BPF, no root): exit 0"
grep -qE "^pw-node-a +$NS_INUM " "$t/nobody"; ok $? "and the same rows"
# as root it keeps nothing while it reads what the server sends
"$PAUSETOP" --prometheus "$PROM" -b -n 0 -d 5 >/dev/null 2>&1 &
viewer=$!
wait_until 10 grep -q '^NoNewPrivs:.*1' "/proc/$viewer/status"
is "$(awk '/^(CapEff|CapPrm|CapBnd|CapAmb):/ { printf "%s ", $2 }' "/proc/$viewer/status")" \
	"0000000000000000 0000000000000000 0000000000000000 0000000000000000 " \
	"as root: no capability left (effective, permitted, bounding, ambient), no_new_privs set"
kill "$viewer"; wait "$viewer" 2>/dev/null
closed=$(free_port)
"$PAUSETOP" --prometheus "http://127.0.0.1:$closed" -b >/dev/null 2>"$t/err"; rc=$?
is "$rc" 1 "nobody listening: exit 1"
like "$(cat "$t/err")" "cannot connect to 127.0.0.1:$closed: Connection refused" "and it says so"
"$PAUSETOP" --prometheus "http://127.0.0.1:$PA" -b >/dev/null 2>"$t/err"; rc=$?
is "$rc" 1 "an exporter is not a Prometheus API: exit 1"
like "$(cat "$t/err")" "prometheus http://127.0.0.1:$PA" "and the message names the server"
for bad in "https://127.0.0.1:$PROM_PORT" "127.0.0.1:$PROM_PORT" "http://h/x?y"; do
	"$PAUSETOP" --prometheus "$bad" -b >/dev/null 2>"$t/err"; rc=$?
	is "$rc" 2 "--prometheus $bad: exit 2"
	like "$(cat "$t/err")" "--prometheus wants" "--prometheus $bad: says what it wants"
done
"$PAUSETOP" --prometheus "$PROM" --listen 0 >/dev/null 2>"$t/err"; rc=$?
is "$rc" 2 "--prometheus with --listen: exit 2"
static=$BUILD/static/pausetop
if [ -x "$static" ]; then
	"$static" --prometheus "$PROM" -b >"$t/static" 2>&1; rc=$?
	is "$rc" 0 "the static build reads the cluster too (numeric address)"
	"$static" --prometheus "http://localhost:$PROM_PORT" -b >/dev/null 2>"$t/err"; rc=$?
	is "$rc" 1 "the static build and a host name: exit 1"
	like "$(cat "$t/err")" "numeric addresses only" "and says why"
else
	skip "static pausetop --prometheus" "$static not built"
fi
done_testing
