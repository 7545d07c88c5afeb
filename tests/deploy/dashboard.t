#!/usr/bin/env bash
# tests/deploy/dashboard.t — deploy/grafana/pausewatch.json: valid JSON, what
# Grafana needs (uid, schemaVersion, variables datasource/node/pod, panels
# with unique ids, grid positions, the $datasource), per-node and per-pod
# panels, every PromQL expression reading only families of docs/metrics.md,
# and the file is what deploy/grafana/dashboard.py writes.  That every
# expression runs on a real Prometheus: tests/deploy/prometheus.t.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

D=$ROOT/deploy/grafana/pausewatch.json
LIB=$ROOT/tests/deploy/deploylib.py
T=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$T"'

jq -e . "$D" >/dev/null
ok $? "pausewatch.json is valid JSON"
is "$(jq -r '[.uid, .title, (.schemaVersion | tostring)] | join(" | ")' "$D")" \
	"pausewatch | pausewatch: zombies, orphans and signals | 39" "uid, title, schemaVersion"
is "$(jq -c '[.templating.list[] | {name, type}]' "$D")" \
	'[{"name":"datasource","type":"datasource"},{"name":"node","type":"query"},{"name":"pod","type":"query"}]' \
	"variables: datasource, node, pod"
# shellcheck disable=SC2016 # $node is Grafana's variable, meant literally
is "$(jq -r '.templating.list[] | select(.type == "query") | "\(.name): \(.query.query) all=\(.allValue) multi=\(.multi)"' "$D" | tr '\n' ';')" \
	'node: label_values(pausewatch_build_info, node) all=.+ multi=true;pod: label_values(pausewatch_namespace_info{node=~"$node"}, pod_uid) all=.+ multi=true;' \
	"node from pausewatch_build_info, pod UIDs from pausewatch_namespace_info on the selected nodes"
is "$(jq '[.panels[].id] | length == (unique | length)' "$D")" true "panel ids are unique"
is "$(jq '[.panels[] | select(.type != "row") | select(.datasource.uid != "${datasource}" or any(.targets[]; .datasource.uid != "${datasource}"))] | length' "$D")" 0 \
	"every panel and target uses the \$datasource variable"
is "$(jq '[.panels[] | select(.gridPos.w < 1 or .gridPos.w > 24 or .gridPos.x + .gridPos.w > 24)] | length' "$D")" 0 "every panel fits the 24-column grid"
is "$(jq -r '[.panels[] | select(.type == "row") | .title] | join(",")' "$D")" "Nodes,Pods" "two rows: Nodes and Pods"
n_node=$(jq '[.panels[] | select(.type != "row") | select(any(.targets[]; .expr | test("node=~\"\\$node\"")))] | length' "$D")
n_pod=$(jq '[.panels[] | select(.type != "row") | select(any(.targets[]; .expr | test("pod_uid=~\"\\$pod\"")))] | length' "$D")
[ "$n_node" -ge 10 ] && [ "$n_pod" -ge 8 ]
ok $? "every panel filters by \$node ($n_node), the per-pod ones also by \$pod ($n_pod)"
is "$(jq '[.panels[] | select(.type != "row") | select((.targets | length) == 0)] | length' "$D")" 0 "no panel without a query"

/usr/bin/python3 "$LIB" dashboard "$D" >"$T/exprs"
n=$(wc -l <"$T/exprs")
[ "$n" -ge 30 ] || bail "only $n expressions found in $D"
jq -c .expr "$T/exprs" | /usr/bin/python3 "$LIB" names >"$T/names"
unknown=$(jq -r '.[]' "$T/names" | sort -u | while read -r m; do
	/usr/bin/python3 "$LIB" family-of "$ROOT/docs/metrics.md" "$m" >/dev/null || echo "$m"; done)
is "$unknown" "" "all $n expressions read only families of docs/metrics.md"
is "$(jq -c 'length > 0' "$T/names" | sort -u)" true "every expression reads at least one family"
used=$(jq -r '.[]' "$T/names" | sed 's/_bucket$//' | sort -u | wc -l)
diag "$used families used: $(jq -r '.[]' "$T/names" | sed 's/_bucket$//' | sort -u | tr '\n' ' ')"

"$ROOT/deploy/grafana/dashboard.py" "$T/regen.json"
cmp -s "$T/regen.json" "$D"
ok $? "pausewatch.json is what deploy/grafana/dashboard.py writes"

done_testing
