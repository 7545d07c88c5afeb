#!/usr/bin/env bash
# tests/unit/metrics.t — the Prometheus exposition from hand-built snapshots:
# metrics_test checks it byte for byte (goldens in tests/unit/golden/), then
# the real parsers judge it: promtool check metrics (text 0.0.4, with its
# linter) and prometheus_client's strict OpenMetrics parser, on hostile
# names (quotes, backslashes, newlines, invalid UTF-8, forged lines).
# timeout: 300
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
bin=${UNIT_BIN_DIR:-$BUILD/tests}/metrics_test
[ -x "$bin" ] || bail "$bin not built (make test-bins)"
command -v promtool >/dev/null || bail "promtool missing (scripts/deps.sh test: prometheus)"
/usr/bin/python3 -c 'import prometheus_client.openmetrics.parser' 2>/dev/null ||
	bail "python3-prometheus-client missing (scripts/deps.sh test)"

tmp=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$tmp"'
# a decimal-comma locale, so "doubles ignore LC_NUMERIC" runs instead of skipping
if localedef -i de_DE -f UTF-8 "$tmp/de_DE.UTF-8" >/dev/null 2>&1; then
	export LOCPATH=$tmp PW_COMMA_LOCALE=de_DE.UTF-8
fi
# one TAP stream: metrics_test's lines without its plan, then ours numbered on
out=$("$bin" "$ROOT/tests/unit/golden"); rc=$?
grep -v '^1\.\.[0-9]*$' <<<"$out"
T_N=$(grep -cE '^(not )?ok [0-9]+' <<<"$out")
[ "$rc" -eq 0 ] || T_FAILED=$((T_FAILED + 1))
unset LOCPATH PW_COMMA_LOCALE

om_check() {
	/usr/bin/python3 -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(sys.stdin.read()))
print(len(fams), sum(len(f.samples) for f in fams))' <"$1"
}

for fx in hostile basic big; do
	"$bin" --dump "$fx" >"$tmp/$fx.prom"; rc=$?
	is "$rc" 0 "$fx: text exposition rendered"
	promtool check metrics <"$tmp/$fx.prom" >"$tmp/$fx.out" 2>&1; rc=$?
	is "$rc" 0 "$fx: promtool check metrics exits 0"
	is "$(cat "$tmp/$fx.out")" "" "$fx: promtool reports nothing (no lint warning)"
	"$bin" --dump "$fx" --om >"$tmp/$fx.om"
	out=$(om_check "$tmp/$fx.om" 2>&1); rc=$?
	is "$rc" 0 "$fx: the OpenMetrics parser accepts it${out:+ ($out families/samples)}"
	[ "$rc" -eq 0 ] || diag "$out"
done
# the parser is strict enough to fail: an OpenMetrics text without # EOF, a counter sample without _total
head -n -1 "$tmp/basic.om" >"$tmp/noeof.om"
om_check "$tmp/noeof.om" >/dev/null 2>&1; rc=$?
ok $((rc == 0)) "the OpenMetrics parser rejects an exposition without # EOF"
sed 's/^pausewatch_exits_total{/pausewatch_exits{/' "$tmp/basic.om" >"$tmp/nototal.om"
om_check "$tmp/nototal.om" >/dev/null 2>&1; rc=$?
ok $((rc == 0)) "the OpenMetrics parser rejects a counter sample without _total"
printf 'pausewatch_x{a="\xff"} 1\n' | promtool check metrics >/dev/null 2>&1; rc=$?
ok $((rc == 0)) "promtool rejects invalid UTF-8 in a label value (so its silence above means something)"
done_testing
