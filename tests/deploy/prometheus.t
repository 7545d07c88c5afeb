#!/usr/bin/env bash
# tests/deploy/prometheus.t — the alert rules and every dashboard query on a
# real Prometheus (Debian's), started here on loopback, scraping what two
# exporters serve (tests/deploy/fixture_exporter.py: every family of
# docs/metrics.md, counters growing).  Checked through the HTTP API: both
# targets up; the rules load and evaluate without error; exactly the alerts
# the data calls for fire or are pending, with the pod's labels from the
# pausewatch_namespace_info join; every dashboard expression and variable
# query parses, runs and returns series.
# timeout: 180
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

command -v prometheus >/dev/null || bail "prometheus missing (scripts/deps.sh deploy)"
LIB=$ROOT/tests/deploy/deploylib.py
T=$(mktemp -d /tmp/pw-prom.XXXXXX)
FX_PID='' PR_PID=''
cleanup() {
	[ -n "$PR_PID" ] && kill -TERM "$PR_PID" 2>/dev/null
	[ -n "$FX_PID" ] && kill -TERM "$FX_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
on_exit 'cleanup'
trap 'exit 143' TERM

# ---- the fixture exporters and Prometheus, on free loopback ports ------------------
FX_PORT=$(/usr/bin/python3 "$LIB" freeport)
/usr/bin/python3 "$ROOT/tests/deploy/fixture_exporter.py" "$FX_PORT" 2>"$T/fixture.err" &
FX_PID=$!
wait_until 20 /usr/bin/python3 "$LIB" get "http://127.0.0.1:$FX_PORT/node-a/metrics" >/dev/null
ok $? "fixture exporters serve /node-a/metrics and /node-b/metrics on 127.0.0.1:$FX_PORT"
cat >"$T/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $ROOT/deploy/prometheus/pausewatch-rules.yml
scrape_configs:
  - job_name: pausewatch
    metrics_path: /node-a/metrics
    static_configs:
      - targets: ["127.0.0.1:$FX_PORT"]
        labels: {exporter: a}
  - job_name: pausewatch-b
    metrics_path: /node-b/metrics
    static_configs:
      - targets: ["127.0.0.1:$FX_PORT"]
        labels: {exporter: b}
CONF
promtool check config "$T/prometheus.yml" >/dev/null 2>&1
ok $? "promtool check config (with the rules file)"
PR_PORT=$(/usr/bin/python3 "$LIB" freeport)
API=http://127.0.0.1:$PR_PORT/api/v1
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/data" \
	--web.listen-address="127.0.0.1:$PR_PORT" --log.level=warn >"$T/prometheus.log" 2>&1 &
PR_PID=$!
wait_until 60 /usr/bin/python3 "$LIB" get "http://127.0.0.1:$PR_PORT/-/ready" >/dev/null
ok $? "prometheus ready on 127.0.0.1:$PR_PORT" || bail "prometheus did not start: $(tail -5 "$T/prometheus.log")"

q() { /usr/bin/python3 "$LIB" get "$API/query" query="$1"; }
# Rates need a few samples in their window: wait for 5 scrapes of both.
enough() { [ "$(q 'min(count_over_time(pausewatch_build_info[15s]))' | jq -r '.data.result[0].value[1] // 0')" -ge 5 ]; }
wait_until 60 enough
ok $? "both targets scraped at least 5 times"
is "$(q 'sum(up)' | jq -r '.data.result[0].value[1]')" 2 "up: 2 targets"

# ---- the rules, evaluated ------------------------------------------------------------
rules_ok() {
	/usr/bin/python3 "$LIB" get "$API/rules" >"$T/rules.json" &&
		[ "$(jq '[.data.groups[].rules[] | select(.lastEvaluation | startswith("0001"))] | length' "$T/rules.json")" = 0 ]
}
wait_until 30 rules_ok
ok $? "the rule group loaded and every rule evaluated"
is "$(jq '[.data.groups[].rules[]] | length' "$T/rules.json")" 7 "7 alerting rules"
is "$(jq -r '[.data.groups[].rules[] | select(.health != "ok") | "\(.name): \(.lastError)"] | join("; ")' "$T/rules.json")" "" \
	"every rule healthy (no evaluation error, e.g. no many-to-many join)"

# What the fixture data calls for: counters that grow fire at once; the
# conditions with a `for` are pending.
states() {
	/usr/bin/python3 "$LIB" get "$API/alerts" |
		jq -r '[.data.alerts[] | "\(.state) \(.labels.alertname) \(.labels.node) \(.labels.pidns // "-")"] | sort | join("\n")'
}
want="firing PausewatchDropping node-a -
firing PausewatchDropping node-b -
firing PausewatchForksRefused node-a 4026532181
firing PausewatchInitIgnoredSIGTERM node-a 4026532181
pending PausewatchInitWithoutSIGTERMHandler node-a 4026532181
pending PausewatchOldZombie node-a 4026532181
pending PausewatchPidPressure node-a 4026532181"
settled() { [ "$(states)" = "$want" ]; }
wait_until 60 settled
is "$(states)" "$want" "alerts: 4 firing, 3 pending, all for the right namespaces; none for the pause pods or the host"
is "$(/usr/bin/python3 "$LIB" get "$API/alerts" | jq -r '.data.alerts[] | select(.labels.alertname == "PausewatchForksRefused") | .labels | "\(.pod_uid) \(.container_id) \(.init_comm) \(.hostname) \(.runtime)"')" \
	"6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0 3f1c2a9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3 sleep shop-7d9f4 containerd" \
	"the alert carries the pod's UID, container id, init, hostname, runtime (the namespace_info join)"
like "$(/usr/bin/python3 "$LIB" get "$API/alerts" | jq -r '.data.alerts[] | select(.labels.alertname == "PausewatchInitIgnoredSIGTERM") | .annotations.description')" \
	"^The kernel dropped SIGTERM because sleep is PID 1 of its namespace and has no handler; pod UID 6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" \
	"annotations render with the pod's attribution"

# ---- every dashboard query -----------------------------------------------------------
/usr/bin/python3 "$LIB" dashboard "$ROOT/deploy/grafana/pausewatch.json" >"$T/exprs"
bad=0 n=0
while read -r line; do
	n=$((n + 1))
	where=$(jq -r .where <<<"$line")
	expr=$(/usr/bin/python3 "$LIB" vars "$(jq -r .expr <<<"$line")")
	label=$(jq -r '.label // empty' <<<"$line")
	[ -n "$label" ] && expr="count by ($label) ($expr)"
	res=$(q "$expr")
	status=$(jq -r .status <<<"$res" 2>/dev/null)
	count=$(jq -r '.data.result | length' <<<"$res" 2>/dev/null)
	if [ "$status" != success ] || [ "${count:-0}" -eq 0 ]; then
		bad=$((bad + 1))
		diag "$where: status ${status:-none}, ${count:-0} series: $expr"
		diag "  $(jq -r '.error // empty' <<<"$res" 2>/dev/null)"
	fi
done <"$T/exprs"
is "$bad" 0 "all $n dashboard queries (panels and variables) run on Prometheus and return series"
is "$(q 'count by (node) (pausewatch_build_info{node=~".+"})' | jq -r '[.data.result[].metric.node] | sort | join(",")')" "node-a,node-b" \
	"variable node: node-a, node-b"
is "$(q 'count by (pod_uid) (pausewatch_namespace_info{node=~".+"})' | jq '[.data.result[].metric.pod_uid | select(. != null)] | length')" 3 \
	"variable pod: the 3 pod UIDs (the host namespaces have none)"
is "$(grep -ci 'error' "$T/prometheus.log")" 0 "prometheus logged no error"

done_testing
