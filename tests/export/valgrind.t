#!/usr/bin/env bash
# timeout: 900
# tests/export/valgrind.t — the exporter and the cluster view under valgrind
# memcheck (the plain dynamic build: static glibc confuses memcheck): no
# invalid access, no leak, through scrapes in both formats, gzip, malformed
# requests and a SIGTERM; --metrics, --textfile; --prometheus against a real
# Prometheus.
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/export/exportlib.sh
. "$(dirname "$0")/exportlib.sh"
need_root
need_tools valgrind prometheus curl
DYN=$BUILD/dyn/pausetop
[ -x "$DYN" ] || bail "$DYN not built (make test-bins)"
t=$EXPORT_TMP
vg() {
	valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--suppressions="$ROOT/tests/valgrind/bpf.supp" -q "$@"
}

vg "$DYN" --metrics >"$t/m" 2>"$t/vg.metrics"; rc=$?
is "$rc" 0 "--metrics is valgrind-clean"
vg "$DYN" --metrics --openmetrics -n 2 -d 0.2 >/dev/null 2>"$t/vg.om"; rc=$?
is "$rc" 0 "--metrics --openmetrics -n 2 is valgrind-clean"
vg "$DYN" --textfile "$t/x.prom" -n 2 -d 0.2 2>"$t/vg.textfile"; rc=$?
is "$rc" 0 "--textfile -n 2 is valgrind-clean"

# exec: $! must be valgrind itself (a backgrounded function would be a subshell)
(exec valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--suppressions="$ROOT/tests/valgrind/bpf.supp" -q "$DYN" --listen 127.0.0.1:0 --node-name pw-vg) \
	2>"$t/vg.listen" &
pid=$!
EXPORT_PIDS+=("$pid")
wait_until 300 grep -q '^pausetop: serving' "$t/vg.listen" || bail "the exporter did not start under valgrind"
P=$(grep -o '127\.0\.0\.1:[0-9]*' "$t/vg.listen" | head -1 | cut -d: -f2)
for h in "Accept: text/plain" "Accept: application/openmetrics-text; version=1.0.0"; do
	curl -sf -o /dev/null -H "$h" "http://127.0.0.1:$P/metrics"; ok $? "scrape ($h)"
	curl -sf -o /dev/null -H "$h" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$P/metrics"; ok $? "gzip scrape ($h)"
done
curl -s -o /dev/null -X POST "http://127.0.0.1:$P/metrics"
curl -s -o /dev/null "http://127.0.0.1:$P/nope"
printf 'GARBAGE /\r\n\r\n' | raw_http "$P" >/dev/null
printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\nxx' | raw_http "$P" >/dev/null
kill -TERM $pid
wait $pid; rc=$?
is "$rc" 0 "--listen through scrapes, errors and SIGTERM is valgrind-clean"
[ "$rc" = 0 ] || diag "$(grep -v WARNING "$t/vg.listen" | head -30)"

start_exporter a --node-name pw-vg-a || bail "the exporter did not start"
start_prometheus "127.0.0.1:$EXP_PORT" || bail "prometheus did not start"
scraped() { promq_is 'count(pausewatch_build_info)' 1; }
wait_until 60 scraped
vg "$DYN" --prometheus "$PROM" -b -n 2 -d 0.5 >"$t/table" 2>"$t/vg.prom"; rc=$?
is "$rc" 0 "--prometheus -b -n 2 is valgrind-clean"
grep -q '^pw-vg-a ' "$t/table"; ok $? "and showed the node's rows"
vg "$DYN" --prometheus "$PROM" --json >/dev/null 2>>"$t/vg.prom"; rc=$?
is "$rc" 0 "--prometheus --json is valgrind-clean"
done_testing
