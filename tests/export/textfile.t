#!/usr/bin/env bash
# timeout: 600
# tests/export/textfile.t — pausetop --textfile for node_exporter's textfile
# collector (a real node_exporter reads it: node_textfile_scrape_error 0, our
# series appear), atomic replacement under concurrent reads, --metrics once,
# and the static build (no HTTP server, the exporter without it).
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/export/exportlib.sh
. "$(dirname "$0")/exportlib.sh"
need_root
need_tools prometheus-node-exporter promtool curl
[ -x "$PAUSETOP" ] || bail "pausetop not built: $PAUSETOP"
t=$EXPORT_TMP
dir=$t/textfile
mkdir -p "$dir"

# --- usage errors --------------------------------------------------------------------
for bad in "--textfile $dir/x.txt" "--textfile $dir/" "--textfile .prom" "--textfile $dir/a.prom --openmetrics" \
	"--textfile $dir/a.prom --json" "--textfile $dir/a.prom --metrics" "--openmetrics" "--node-name x"; do
	# shellcheck disable=SC2086
	"$PAUSETOP" $bad >/dev/null 2>"$t/err"; rc=$?
	is "$rc" 2 "'$bad': exit 2"
	[ -s "$t/err" ]; ok $? "'$bad': says why"
done
"$PAUSETOP" --textfile "$t/no/such/dir/p.prom" -n 1 2>"$t/err"; rc=$?
is "$rc" 1 "a directory that does not exist: exit 1"
like "$(cat "$t/err")" "cannot create a temporary file in $t/no/such/dir" "and it says where"

# --- one write ------------------------------------------------------------------------
"$PAUSETOP" --textfile "$dir/pausewatch.prom" --node-name pw-textfile -n 1 2>"$t/err"; rc=$?
is "$rc" 0 "--textfile -n 1: exit 0"
is "$(stat -c %a "$dir/pausewatch.prom")" 644 "the file is 0644"
is "$(ls -A "$dir")" "pausewatch.prom" "no temporary file left behind"
promtool check metrics <"$dir/pausewatch.prom" >"$t/pt" 2>&1; rc=$?
is "$rc:$(cat "$t/pt")" "0:" "promtool accepts it, without a warning"
is "$(grep -c '^process_' "$dir/pausewatch.prom")" 0 "no process_* (node_exporter has its own)"
is "$(grep -c '^# EOF' "$dir/pausewatch.prom")" 0 "text format, no # EOF"
grep -q "^pausewatch_build_info{node=\"pw-textfile\"" "$dir/pausewatch.prom"; ok $? "the node label"

# --- node_exporter reads it -------------------------------------------------------------
NE_PORT=$(free_port)
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$dir" --web.listen-address="127.0.0.1:$NE_PORT" >"$t/ne.log" 2>&1 &
EXPORT_PIDS+=("$!")
ne() { curl -sf "http://127.0.0.1:$NE_PORT/metrics"; }
wait_until 60 ne >/dev/null || bail "node_exporter did not start: $(tail -3 "$t/ne.log")"
start_zombie_ns 3 || bail "the zombie namespace did not start"
"$PAUSETOP" --textfile "$dir/pausewatch.prom" --node-name pw-textfile -d 0.2 2>"$t/writer.err" &
writer=$!
EXPORT_PIDS+=("$writer")
has_zombies() { ne | grep -qx "pausewatch_zombies{node=\"pw-textfile\",pidns=\"$NS_INUM\"} 3"; }
wait_until 60 has_zombies; ok $? "node_exporter serves pausewatch_zombies{pidns=\"$NS_INUM\"} 3 from the textfile"
ne >"$t/ne.out"
is "$(grep '^node_textfile_scrape_error ' "$t/ne.out")" "node_textfile_scrape_error 0" "node_textfile_scrape_error 0"
grep -q "^node_textfile_mtime_seconds{file=\"$dir/pausewatch.prom\"} " "$t/ne.out" ||
	grep -q "^node_textfile_mtime_seconds{file=\"pausewatch.prom\"} " "$t/ne.out"
ok $? "node_exporter saw the file's mtime"
grep -q "^pausewatch_namespace_info{.*hostname=\"pw-zombies\".*node=\"pw-textfile\".*pidns=\"$NS_INUM\"" "$t/ne.out"
ok $? "the info series with its attribution"
is "$(grep -c '^# TYPE pausewatch_init_signal_disposition gauge' "$t/ne.out")" 1 "one TYPE per family"

# --- atomic: every read sees one whole exposition ----------------------------------------
m1=$(stat -c %Y.%y "$dir/pausewatch.prom")
torn=0
for _ in $(seq 300); do
	content=$(cat "$dir/pausewatch.prom")
	[ "$(grep -c '^pausewatch_build_info{' <<<"$content")" = 1 ] &&
		[ "$(tail -1 <<<"$content" | cut -d' ' -f1)" = "pausewatch_snapshot_duration_seconds{node=\"pw-textfile\"}" ] ||
		torn=$((torn + 1))
done
is "$torn" 0 "300 reads during rewrites every 0.2 s: no torn file"
m2=$(stat -c %Y.%y "$dir/pausewatch.prom")
[ "$m1" != "$m2" ]; ok $? "the file was rewritten meanwhile"
is "$(grep '^node_textfile_scrape_error ' <(ne))" "node_textfile_scrape_error 0" "still no scrape error"
kill -TERM $writer
wait $writer; rc=$?
is "$rc" 0 "SIGTERM: the writer exits 0"
is "$(ls -A "$dir")" "pausewatch.prom" "and leaves no temporary file"

# --- --metrics ---------------------------------------------------------------------------
"$PAUSETOP" --metrics >"$t/once" 2>"$t/err"; rc=$?
is "$rc" 0 "--metrics: exit 0"
promtool check metrics <"$t/once" >/dev/null 2>&1; ok $? "--metrics prints a valid exposition"
grep -q '^process_open_fds{' "$t/once"; ok $? "with the process_* families"
"$PAUSETOP" --metrics --openmetrics >"$t/once.om"
is "$(tail -1 "$t/once.om")" "# EOF" "--metrics --openmetrics ends with # EOF"
"$PAUSETOP" --metrics -n 2 -d 0.1 >"$t/twice"
is "$(grep -c '^# HELP pausewatch_build_info ' "$t/twice")" 2 "--metrics -n 2: two expositions"
"$PAUSETOP" --metrics 2>/dev/null | head -c 100 >/dev/null
is "${PIPESTATUS[0]}" 0 "--metrics into a closed pipe: exit 0"

# --- the static build (kernel matrix) ---------------------------------------------------
static=$BUILD/static/pausetop
if [ -x "$static" ]; then
	"$static" --textfile "$dir/static.prom" -n 1 2>"$t/err"; rc=$?
	is "$rc" 0 "static pausetop: --textfile works"
	promtool check metrics <"$dir/static.prom" >/dev/null 2>&1; ok $? "its exposition is valid"
	"$static" --listen 0 2>"$t/err"; rc=$?
	is "$rc" 2 "static pausetop: --listen exits 2"
	like "$(cat "$t/err")" "not available in this build" "and says the HTTP server is not built in"
else
	skip "static pausetop" "$static not built (make $static)"
fi
done_testing
