#!/usr/bin/env bash
# timeout: 600
# tests/export/prometheus.t — a real Prometheus (Debian's) scrapes
# `pausetop --listen`: N zombies in a PID namespace show in the HTTP API as
# pausewatch_zombies{pidns="<inode>"} == N, then 0 with pausewatch_reaped_total
# N once the init reaps them; the scrape (OpenMetrics, negotiated by
# Prometheus itself) has no error.
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/export/exportlib.sh
. "$(dirname "$0")/exportlib.sh"
need_root
need_tools prometheus curl jq
[ -x "$PAUSETOP" ] || bail "pausetop not built: $PAUSETOP"
N=5

start_exporter a --node-name pw-test-a || bail "the exporter did not start"
start_prometheus "127.0.0.1:$EXP_PORT" || bail "prometheus did not start"
start_zombie_ns $N || bail "the zombie namespace did not start"
diag "exporter :$EXP_PORT, prometheus :$PROM_PORT, namespace $NS_INUM (init $NS_INIT)"

sel="pidns=\"$NS_INUM\""
wait_until 60 promq_is "pausewatch_zombies{$sel}" $N
is "$(promq_value "pausewatch_zombies{$sel}")" $N "Prometheus: pausewatch_zombies{$sel} == $N"
is "$(promq_value "pausewatch_zombie_exits_total{$sel}")" $N "zombie_exits_total == $N"
is "$(promq_value "pausewatch_reaped_total{$sel}")" 0 "reaped_total == 0 while they wait"
is "$(promq "pausewatch_namespace_info{$sel}")" \
	"{\"hostname\":\"pw-zombies\",\"init_comm\":\"python3\",\"init_pid\":\"$NS_INIT\",\"level\":\"1\",\"node\":\"pw-test-a\",\"pidns\":\"$NS_INUM\"} 1" \
	"namespace_info: attribution joined on pidns (empty labels dropped by Prometheus)"
like "$(promq_value "pausewatch_oldest_zombie_age_seconds{$sel}")" '^[0-9.e+-]+$' "oldest_zombie_age_seconds is there"
is "$(promq_value "pausewatch_init_signal_disposition{$sel,signal=\"SIGUSR1\",disposition=\"catch\"}")" 1 \
	"the init catches SIGUSR1 (disposition)"
is "$(promq_value "pausewatch_init_signal_disposition{$sel,signal=\"SIGTERM\",disposition=\"default\"}")" 1 \
	"the init has no SIGTERM handler (disposition)"

kill -USR1 "$NS_INIT"
wait_until 60 promq_is "pausewatch_reaped_total{$sel}" $N
is "$(promq_value "pausewatch_reaped_total{$sel}")" $N "after the init reaps: reaped_total == $N"
wait_until 30 promq_is "pausewatch_zombies{$sel}" 0
is "$(promq_value "pausewatch_zombies{$sel}")" 0 "and pausewatch_zombies == 0"
is "$(promq "pausewatch_oldest_zombie_age_seconds{$sel}")" "" "oldest_zombie_age_seconds is gone"
is "$(promq_value "pausewatch_zombie_dwell_seconds_count{$sel}")" $N "dwell histogram: $N observations"
is "$(promq_value "pausewatch_zombie_dwell_seconds_bucket{$sel,le=\"+Inf\"}")" $N "its +Inf bucket"
is "$(promq_value "pausewatch_signals_generated_total{$sel,signal=\"SIGUSR1\",result=\"delivered\"}")" 1 \
	"the SIGUSR1 we sent: generated, delivered"

# the scrape itself
targets=$(curl -sf "$PROM/api/v1/targets" | jq -c '.data.activeTargets[0] | {health, lastError}')
is "$targets" '{"health":"up","lastError":""}' "the target is up, with no scrape error"
is "$(promq_value "up{job=\"pausewatch\"}")" 1 "up == 1"
is "$(promq_value "count(pausewatch_build_info{node=\"pw-test-a\",exit_variant=~\"v616|legacy\"})")" 1 "build_info"
like "$(promq_value "scrape_samples_scraped")" '^[1-9][0-9]*$' "samples were scraped"
# Prometheus 2.42 asks for OpenMetrics first; our answer must say which it got
hdr=$(curl -sf -o /dev/null -D - -H 'Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' \
	"http://127.0.0.1:$EXP_PORT/metrics" | tr -d '\r' | grep -i '^content-type:')
is "$hdr" "Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8" \
	"Prometheus's Accept header gets OpenMetrics"
is "$(grep -c 'http: ' "$EXPORT_TMP/a.err")" 0 "the exporter logged no HTTP error"
done_testing
