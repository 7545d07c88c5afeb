#!/usr/bin/env bash
# timeout: 600
# tests/export/http.t — pausetop --listen as an HTTP server: its three
# pages, GET and HEAD only, 404s, content negotiation (text 0.0.4,
# OpenMetrics), gzip, malformed requests (4xx, and it keeps serving), the
# listening address rules, a port in use, and a clean stop on SIGTERM/SIGINT.
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/export/exportlib.sh
. "$(dirname "$0")/exportlib.sh"
need_root
need_tools curl promtool gzip ss
[ -x "$PAUSETOP" ] || bail "pausetop not built: $PAUSETOP"
OM_ACCEPT='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

start_exporter a || bail "the exporter did not start"
P=$EXP_PORT
url=http://127.0.0.1:$P
t=$EXPORT_TMP

# --- pages -------------------------------------------------------------------
curl -s -D "$t/h" -o "$t/b" "$url/"
is "$(status_of <"$t/h")" 200 "/ answers 200"
like "$(grep -i '^content-type' "$t/h" | tr -d '\r')" 'text/html; charset=utf-8' "/ is HTML"
grep -q '<a href="/metrics">' "$t/b"; ok $? "/ links to /metrics"
is "$(curl -s "$url/healthz")" "ok" "/healthz says ok"
curl -s -D "$t/h" -o "$t/m" "$url/metrics"
is "$(status_of <"$t/h")" 200 "/metrics answers 200"
is "$(grep -i '^content-type' "$t/h" | tr -d '\r')" "Content-Type: text/plain; version=0.0.4; charset=utf-8" \
	"no Accept: text format 0.0.4"
promtool check metrics <"$t/m" >"$t/pt" 2>&1; rc=$?
is "$rc" 0 "promtool accepts the live exposition"
is "$(cat "$t/pt")" "" "without a warning"
grep -q "^pausewatch_namespace_info{node=\"$(uname -n)\",pidns=\"$(stat -L -c %i /proc/self/ns/pid)\",level=\"0\"" "$t/m"
ok $? "the host's namespace, labelled with the nodename (the default --node-name)"
grep -q '^process_resident_memory_bytes{' "$t/m"; ok $? "process_* families of the exporter itself"
for path in /nope /metrics/x /metricsx /healthz/; do
	is "$(curl -s -o /dev/null -w '%{http_code}' "$url$path")" 404 "GET $path: 404"
done
# a percent-encoded NUL must not cut the path short
for path in '/metrics%00junk' '/healthz%00x' '/%00x' '/metrics%00'; do
	is "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$url$path")" 404 "GET $path: 404"
done
is "$(curl -s --path-as-is "$url/%68ealthz")" ok "other percent-escapes still decode (/%68ealthz is /healthz)"
# query arguments are ignored, however many (libmicrohttpd 0.9.75 lost the connection on 300)
many=$(printf 'a&%.0s' $(seq 300))
is "$(printf 'GET /healthz?%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$many" | raw_http "$P" | status_of)" 200 \
	"GET /healthz with 300 query arguments: 200, the query ignored"
many=$(printf 'a=1&%.0s' $(seq 1000))
is "$(printf 'GET /metrics?%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$many" | raw_http "$P" | status_of)" 200 \
	"GET /metrics with 1000 query arguments: 200"
is "$(curl -s -o /dev/null -w '%{http_code}' "$url/metrics?collect%5B%5D=x&debug=1")" 200 "a Prometheus params: query: 200" 

# --- methods -------------------------------------------------------------------
printf 'HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw_http "$P" >"$t/head"
is "$(status_of <"$t/head")" 200 "HEAD /metrics: 200"
len=$(tr -d '\r' <"$t/head" | sed -n 's/^Content-Length: //Ip')
like "$len" '^[1-9][0-9]+$' "HEAD: a Content-Length ($len)"
is "$(awk 'BEGIN{RS="\r\n\r\n"} NR>1' "$t/head" | wc -c)" 0 "HEAD: no body"
for m in POST PUT DELETE PATCH OPTIONS TRACE PROPFIND; do
	curl -s -X "$m" -D "$t/h" -o /dev/null "$url/metrics"
	is "$(status_of <"$t/h")" 405 "$m /metrics: 405"
	is "$(grep -i '^allow:' "$t/h" | tr -d '\r')" "Allow: GET, HEAD" "$m: Allow: GET, HEAD"
done
# a body is never read: the answer comes at once and the connection closes
is "$(printf 'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\nxxxx' | raw_http "$P" | status_of)" 405 \
	"a POST announcing 100 MB: 405 at once"
is "$(printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\nxxxx' | raw_http "$P" | status_of)" 200 \
	"a GET announcing 100 MB of body: answered at once, the body never read"
is "$(printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
	raw_http "$P" | grep -ac '^HTTP/1.1 200')" 2 "keep-alive: two pipelined GETs, two answers"

# --- negotiation -------------------------------------------------------------------
curl -s -D "$t/h" -o "$t/om" -H "Accept: $OM_ACCEPT" "$url/metrics"
is "$(grep -i '^content-type' "$t/h" | tr -d '\r')" \
	"Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8" "Prometheus's Accept: OpenMetrics"
is "$(tail -1 "$t/om")" "# EOF" "the OpenMetrics answer ends with # EOF"
grep -q '^# TYPE pausewatch_exits counter$' "$t/om"; ok $? "OpenMetrics counter family without _total"
/usr/bin/python3 -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
list(text_string_to_metric_families(open(sys.argv[1]).read()))' "$t/om" 2>"$t/omerr"
ok $? "the OpenMetrics parser accepts the live answer$(head -c 200 "$t/omerr")"
curl -s -D "$t/h" -o /dev/null -H 'Accept: text/plain;version=0.0.4' "$url/metrics"
like "$(grep -i '^content-type' "$t/h")" 'version=0.0.4' "Accept: text/plain: text 0.0.4"
curl -s -D "$t/h" -o /dev/null -H 'Accept: application/json' "$url/metrics"
like "$(grep -i '^content-type' "$t/h")" 'version=0.0.4' "Accept: application/json: the text fallback"
curl -s -D "$t/h" -o "$t/gz" -H 'Accept-Encoding: gzip' "$url/metrics"
is "$(grep -i '^content-encoding' "$t/h" | tr -d '\r')" "Content-Encoding: gzip" "Accept-Encoding: gzip: gzipped"
gzip -dc <"$t/gz" >"$t/gunz"; ok $? "it decompresses"
promtool check metrics <"$t/gunz" >/dev/null 2>&1; ok $? "to a valid exposition"
ratio=$(( $(wc -c <"$t/gunz") / $(wc -c <"$t/gz") ))
ok $((ratio < 3)) "and gzip is worth it (${ratio}x smaller)"
curl -s -D "$t/h" -o /dev/null -H 'Accept-Encoding: gzip;q=0, identity' "$url/metrics"
is "$(grep -ci '^content-encoding' "$t/h")" 0 "Accept-Encoding: gzip;q=0: plain"
# repeated lines of a list header are one comma-joined list (RFC 9110 5.3)
curl -s -D "$t/h" -o /dev/null -H 'Accept-Encoding: *' -H 'accept-encoding: gzip;q=0' "$url/metrics"
is "$(grep -ci '^content-encoding' "$t/h")" 0 "Accept-Encoding: * then Accept-Encoding: gzip;q=0: plain"
curl -s -D "$t/h" -o /dev/null -H 'Accept-Encoding: identity' -H 'Accept-Encoding: gzip' "$url/metrics"
is "$(grep -i '^content-encoding' "$t/h" | tr -d '\r')" "Content-Encoding: gzip" "Accept-Encoding: identity then gzip: gzipped"
curl -s -D "$t/h" -o /dev/null -H 'Accept: application/openmetrics-text;q=0.1' -H 'Accept: text/plain;q=0.9' "$url/metrics"
like "$(grep -i '^content-type' "$t/h")" 'text/plain; version=0.0.4' "Accept: OpenMetrics;q=0.1 then Accept: text/plain;q=0.9: text"
curl -s -D "$t/h" -o /dev/null -H 'Accept: text/plain;q=0.5' -H 'Accept: application/openmetrics-text' "$url/metrics"
like "$(grep -i '^content-type' "$t/h")" 'openmetrics-text' "Accept: text/plain;q=0.5 then Accept: OpenMetrics: OpenMetrics"
long=$(printf 'x/y%.0s,' $(seq 1100))
curl -s -D "$t/h" -o /dev/null -H "Accept: $long" -H 'Accept: application/openmetrics-text' "$url/metrics"
like "$(grep -i '^content-type' "$t/h")" 'text/plain; version=0.0.4' "Accept lines over 4 KiB together: the text format"

# --- malformed requests: 4xx, and the server goes on ----------------------------------
bad() {	# bad WHAT BYTES WANT_REGEX
	local st
	st=$(printf '%b' "$2" | raw_http "$P" | status_of)
	like "${st:-none}" "$3" "$1: ${st:-no answer}"
}
bad "a garbage request line" 'GARBAGE /\r\n\r\n' '^4[0-9][0-9]$'
# libmicrohttpd closes a one-word request line without an answer (no way to make it send a 400)
is "$(printf 'GARBAGE\r\n\r\n' | raw_http "$P" | wc -c)" 0 "a one-word request line: closed, no answer"
bad "HTTP/9.9" 'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n' '^(4[0-9][0-9]|505)$'
bad "a header line without a colon" 'GET /metrics HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n' '^4[0-9][0-9]$'
bad "20 kB of headers" "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: $(head -c 20000 /dev/zero | tr '\0' a)\r\n\r\n" '^4[0-9][0-9]$'
# documented (docs/export.md, Errors): a request that fills the 16 KiB connection memory but for
# the room of the response's headers is closed without an answer; a little larger is 431
bighdr() { printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: %s\r\n\r\n' "$(head -c "$1" /dev/zero | tr '\0' a)" | raw_http "$P" | status_of; }
is "$(bighdr 15900)" 200 "a 15,900-byte header: answered"
is "$(bighdr 16060)" "" "a 16,060-byte header: closed without an answer (libmicrohttpd 0.9.75, documented)"
is "$(bighdr 16300)" 431 "a 16,300-byte header: 431"
bad "a 20 kB URL" "GET /$(head -c 20000 /dev/zero | tr '\0' a) HTTP/1.1\r\nHost: x\r\n\r\n" '^4[0-9][0-9]$'
bad "NUL bytes in the request line" 'GET /met\0rics HTTP/1.1\r\nHost: x\r\n\r\n' '^4[0-9][0-9]$'
bad "a body length that is not a number" 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n' '^4[0-9][0-9]$'
bad "a GET with a broken chunked body (answered before it is read)" 'GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n' '^200$'
head -c 100000 /dev/urandom | raw_http "$P" >/dev/null
is "$(curl -s -m 10 "$url/healthz")" "ok" "after all that (and 100 kB of random bytes) it still answers"
kill -0 "$EXP_PID"; ok $? "and is still running"

# --- where it listens -----------------------------------------------------------------
for a in abc 1.2.3.4.5:80 ::1:80 '[::1]' 70000 host.example:80 '' '[::1]:x'; do
	timeout 60 "$PAUSETOP" --listen "$a" >/dev/null 2>"$t/err"; rc=$?
	is "$rc" 2 "--listen '$a': exit 2"
	like "$(cat "$t/err")" "--listen wants PORT" "--listen '$a': says what it wants"
done
listening() {	# the local address of pausetop's listening socket
	ss -Hltnp | awk -v p="pid=$1," 'index($0, p) {print $4}'
}
start_exporter bare || bail "--listen with a bare address did not start"
"$PAUSETOP" --listen 0 >/dev/null 2>"$t/bare0.err" &
EXPORT_PIDS+=("$!")
pid=$!
wait_until 60 grep -q serving "$t/bare0.err"
like "$(listening $pid)" '^127\.0\.0\.1:[0-9]+$' "--listen 0 (a bare port): 127.0.0.1 only"
"$PAUSETOP" --listen 0.0.0.0:0 >/dev/null 2>"$t/any.err" &
EXPORT_PIDS+=("$!")
pid=$!
wait_until 60 grep -q serving "$t/any.err"
like "$(listening $pid)" '^(0\.0\.0\.0|\*):[0-9]+$' "--listen 0.0.0.0:0: every address, because it was written"
"$PAUSETOP" --listen '[::1]:0' >/dev/null 2>"$t/v6.err" &
EXPORT_PIDS+=("$!")
pid=$!
if wait_until 60 grep -q serving "$t/v6.err"; then
	like "$(listening $pid)" '^\[::1\]:[0-9]+$' "--listen [::1]:0: IPv6 loopback"
else
	like "$(cat "$t/v6.err")" "cannot listen" "--listen [::1]:0 without IPv6: says why"
fi
# a port somebody else holds (a listener of our own: it cannot go away meanwhile)
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(120)' >"$t/busy.port" &
EXPORT_PIDS+=("$!")
wait_until 30 test -s "$t/busy.port"
busy=$(cat "$t/busy.port")
timeout 60 "$PAUSETOP" --listen "127.0.0.1:$busy" >/dev/null 2>"$t/busy.err"; rc=$?
is "$rc" 1 "a port in use: exit 1"
like "$(cat "$t/busy.err")" "cannot listen on 127.0.0.1:$busy: Address already in use" "and it says so"

# --- libmicrohttpd is opened at run time ------------------------------------------------
# Loaded only by --listen (userspace/export_http.c): a machine without it gets a message
# naming the package.  A mount namespace where the library reads as an empty file.
mhd=$(ldconfig -p | awk '$1 == "libmicrohttpd.so.12" && $NF ~ /^\// { print $NF; exit }')
without_mhd() { # ARGS... — pausetop ARGS where libmicrohttpd reads as /dev/null
	timeout 60 unshare -m sh -c 'mount --bind /dev/null "$(readlink -f "$1")" && shift && exec "$@"' \
		sh "$mhd" "$PAUSETOP" "$@"
}
if [ -n "$mhd" ]; then
	grep -q 'libmicrohttpd' <(ldd "$PAUSETOP"); is "$?" 1 "pausetop does not link libmicrohttpd (ldd)"
	without_mhd --listen 0 >/dev/null 2>"$t/nomhd.err"; rc=$?
	is "$rc" 1 "--listen without a loadable libmicrohttpd: exit 1"
	like "$(cat "$t/nomhd.err")" "needs libmicrohttpd \(libmicrohttpd\.so\.12\).*install the libmicrohttpd12 package" \
		"and it says which library and which package"
	without_mhd --metrics >"$t/nomhd.prom" 2>/dev/null; rc=$?
	is "$rc" 0 "--metrics does not need it"
	grep -q '^pausewatch_build_info{' "$t/nomhd.prom"; ok $? "  and prints the exposition"
else
	skip "libmicrohttpd at run time" "libmicrohttpd.so.12 is not installed"
fi

# --- stopping ----------------------------------------------------------------------------
for sig in TERM INT; do
	"$PAUSETOP" --listen 0 2>"$t/stop.err" &
	pid=$!
	EXPORT_PIDS+=("$pid")
	wait_until 60 grep -q serving "$t/stop.err"
	kill -"$sig" $pid
	for _ in $(seq 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	wait $pid; rc=$?
	is "$rc" 0 "SIG$sig: a clean exit 0"
done
done_testing
