#!/usr/bin/env bash
# timeout: 600
# tests/export/hostile.t — a container names itself to break the
# exposition: its hostname and its init's comm hold quotes, backslashes,
# newlines, an escape sequence, a forged series and invalid UTF-8.  The live
# /metrics (both formats), --metrics and the textfile stay valid for promtool
# and the OpenMetrics parser; a real Prometheus scrapes it without error and
# stores the names with U+FFFD for the invalid bytes; the cluster view shows
# them neutralised.
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/export/exportlib.sh
. "$(dirname "$0")/exportlib.sh"
need_root
need_tools prometheus promtool curl jq
[ -x "$PAUSETOP" ] || bail "pausetop not built: $PAUSETOP"
t=$EXPORT_TMP

start_exporter a --node-name 'pw-"hostile"' || bail "the exporter did not start"
P=$EXP_PORT
start_prometheus "127.0.0.1:$P" || bail "prometheus did not start"

# hostname (64 bytes max) and comm (15 bytes max), as bytes
unshare -fpu --kill-child /usr/bin/python3 -c '
import os, socket, sys, time
socket.sethostname(b"h\"o\\s\nt\x1b[2J\xff\xfe}\npausewatch_zombies{pidns=\"1\"} 9")
with open("/proc/self/comm", "wb") as f:
    f.write(b"c\"\\\n\xff\x80m")
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(os.readlink("/proc/self"))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(3600)
' "$t/hostile.pid" &
EXPORT_PIDS+=("$!")
wait_until 30 test -s "$t/hostile.pid" || bail "the hostile namespace did not start"
init=$(cat "$t/hostile.pid")
inum=$(stat -L -c %i "/proc/$init/ns/pid")
diag "hostile namespace $inum, init $init"

info_line() { scrape "$P" | grep "^pausewatch_namespace_info{.*pidns=\"$inum\""; }
wait_until 60 info_line >/dev/null
is "$(info_line | wc -l)" 1 "one info series for the hostile namespace"
want='hostname="h\"o\\s\nt'$'\x1b''[2J'$'\xef\xbf\xbd\xef\xbf\xbd''}\npausewatch_zombies{pidns=\"1\"} 9"'
grep -qF -- "$want" <<<"$(info_line)"; ok $? "the hostname: quote, backslash, newline escaped; 0xff 0xfe became U+FFFD"
want='init_comm="c\"\\\n'$'\xef\xbf\xbd\xef\xbf\xbd''m"'
grep -qF -- "$want" <<<"$(info_line)"; ok $? "the comm, escaped the same way"
is "$(scrape "$P" | grep -c '^pausewatch_zombies{pidns="1"}')" 0 "the forged series is not a series"

# --- the parsers -----------------------------------------------------------------------
scrape "$P" >"$t/live.prom"
promtool check metrics <"$t/live.prom" >"$t/pt" 2>&1; rc=$?
is "$rc:$(cat "$t/pt")" "0:" "promtool check metrics on the live text: exit 0, no warning"
scrape "$P" -H 'Accept: application/openmetrics-text; version=1.0.0' >"$t/live.om"
/usr/bin/python3 -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for f in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()):
    for s in f.samples:
        if s.name == "pausewatch_namespace_info" and s.labels["pidns"] == sys.argv[2]:
            print(ascii(s.labels["hostname"]))' "$t/live.om" "$inum" >"$t/om.out" 2>&1
is "$(cat "$t/om.out")" "'h\"o\\\\s\\nt\\x1b[2J\\ufffd\\ufffd}\\npausewatch_zombies{pidns=\"1\"} 9'" \
	"the OpenMetrics parser reads the live answer and gets the hostname back"
"$PAUSETOP" --metrics >"$t/once.prom" 2>/dev/null
promtool check metrics <"$t/once.prom" >"$t/pt" 2>&1; rc=$?
is "$rc:$(cat "$t/pt")" "0:" "promtool on --metrics: exit 0, no warning"
"$PAUSETOP" --textfile "$t/h.prom" -n 1 2>/dev/null
promtool check metrics <"$t/h.prom" >"$t/pt" 2>&1; rc=$?
is "$rc:$(cat "$t/pt")" "0:" "promtool on the textfile: exit 0, no warning"

# --- Prometheus ---------------------------------------------------------------------------
stored() { curl -sf --get --data-urlencode "query=pausewatch_namespace_info{pidns=\"$inum\"}" "$PROM/api/v1/query" |
	jq -r '.data.result[0].metric.hostname // empty'; }
has_stored() { test -n "$(stored)"; }
wait_until 60 has_stored
is "$(stored | od -An -c | tr -s ' ')" "$(printf 'h"o\\s\nt\x1b[2J\xef\xbf\xbd\xef\xbf\xbd}\npausewatch_zombies{pidns="1"} 9\n' | od -An -c | tr -s ' ')" \
	"Prometheus stored the hostname: the bytes, with U+FFFD for the invalid ones"
is "$(curl -sf "$PROM/api/v1/targets" | jq -c '.data.activeTargets[0] | {health, lastError}')" \
	'{"health":"up","lastError":""}' "the scrape has no error"
is "$(promq_value 'count(pausewatch_zombies{pidns="1"})')" "" "no forged series in Prometheus"
is "$(curl -sf --get --data-urlencode 'query=pausewatch_build_info' "$PROM/api/v1/query" | jq -r '.data.result[0].metric.node')" \
	'pw-"hostile"' "the node name with a quote survives too"

# --- the cluster view neutralises them on the terminal --------------------------------------
"$PAUSETOP" --prometheus "$PROM" -b >"$t/table" 2>&1; rc=$?
is "$rc" 0 "pausetop --prometheus -b: exit 0"
is "$(grep -c $'\x1b' "$t/table")" 0 "no escape byte reaches the terminal"
is "$(grep -c " $inum " "$t/table")" 1 "the hostile row is one line"
done_testing
