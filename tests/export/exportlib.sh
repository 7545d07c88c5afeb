# tests/export/exportlib.sh — shared by the tests/export/*.t files: start
# pausetop exporters, a real Prometheus and node_exporter on loopback with
# free ports, query them, and stop everything on exit.  Source after
# tests/lib.sh.
# shellcheck shell=bash
# shellcheck disable=SC2034 # EXP_PORT, NS_INUM, ...: set here for the test that sources this

EXPORT_TMP=$(mktemp -d)
EXPORT_PIDS=()

export_cleanup() {
	local p
	for p in "${EXPORT_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${EXPORT_PIDS[@]}"; do
		# a daemon that ignores SIGTERM for 10 s is killed
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$EXPORT_TMP"
}
on_exit 'export_cleanup'

need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || bail "$t missing (scripts/deps.sh test)"
	done
}

# A port nobody listens on now (the kernel's pick; the race until use is accepted).
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_exporter NAME ARGS... — $PAUSETOP --listen 127.0.0.1:0 ARGS; sets
# EXP_PORT and EXP_PID; stderr in $EXPORT_TMP/NAME.err.  Fails when it does
# not serve within 60 s.
start_exporter() {
	local name=$1 line
	shift
	"$PAUSETOP" --listen 127.0.0.1:0 "$@" 2>"$EXPORT_TMP/$name.err" &
	EXP_PID=$!
	EXPORT_PIDS+=("$EXP_PID")
	wait_until 60 grep -q '^pausetop: serving ' "$EXPORT_TMP/$name.err" || {
		diag "exporter $name did not start: $(cat "$EXPORT_TMP/$name.err")"
		return 1
	}
	line=$(grep -m1 '^pausetop: serving ' "$EXPORT_TMP/$name.err")
	EXP_PORT=$(sed -E 's|.*http://127\.0\.0\.1:([0-9]+)/metrics.*|\1|' <<<"$line")
}

# start_prometheus TARGET... — a Prometheus scraping every second; sets PROM_PORT, PROM.
start_prometheus() {
	local targets t dir=$EXPORT_TMP/prometheus
	mkdir -p "$dir"
	targets=$(for t in "$@"; do printf "'%s'," "$t"; done)
	cat >"$dir/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  scrape_timeout: 1s
		scrape_configs:
		  - job_name: pausewatch
		    static_configs:
		      - targets: [${targets%,}]
	EOF
	PROM_PORT=$(free_port)
	prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
		--web.listen-address="127.0.0.1:$PROM_PORT" >"$dir/log" 2>&1 &
	EXPORT_PIDS+=("$!")
	PROM=http://127.0.0.1:$PROM_PORT
	wait_until 60 curl -sf "$PROM/-/ready" -o /dev/null || {
		diag "prometheus did not start: $(tail -5 "$dir/log")"
		return 1
	}
}

# promq QUERY — the instant query's values, one "labels value" line per series, sorted.
promq() {
	curl -sf --get --data-urlencode "query=$1" "$PROM/api/v1/query" |
		jq -r '.data.result[] | "\(.metric | del(.__name__, .instance, .job) | tojson) \(.value[1])"' |
		sort
}

# promq_value QUERY — the value of a query with exactly one series, else "".
promq_value() {
	local out
	out=$(promq "$1")
	[ "$(wc -l <<<"$out")" = 1 ] && [ -n "$out" ] && echo "${out##* }"
}

# output_is WANT CMD... — CMD prints exactly WANT (for wait_until: it runs CMD anew each time)
output_is() {
	local want=$1
	shift
	[ "$("$@")" = "$want" ]
}

# promq_is QUERY VALUE — for wait_until
promq_is() {
	[ "$(promq_value "$1")" = "$2" ]
}

# scrape PORT [CURL ARGS...] — the exporter's /metrics
scrape() {
	local port=$1
	shift
	curl -sf --max-time 30 "$@" "http://127.0.0.1:$port/metrics"
}

# A PID namespace whose init (python, PID 1 there) forks N children that exit
# at once and are left as zombies until the init gets SIGUSR1, then reaps them
# all and stays; its hostname is pw-zombies.  Sets NS_INIT (host pid of the init) and NS_INUM.
start_zombie_ns() {
	local n=$1 pidfile=$EXPORT_TMP/ns.$RANDOM
	unshare -fpu --kill-child /usr/bin/python3 -c '
import os, signal, socket, sys, time
n, pidfile = int(sys.argv[1]), sys.argv[2]
socket.sethostname("pw-zombies")
def reap(sig, frame):
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                break
        except ChildProcessError:
            break
signal.signal(signal.SIGUSR1, reap)
for _ in range(n):
    if os.fork() == 0:
        os._exit(7)
# /proc is still the host one: /proc/self names our pid out there
with open(pidfile + ".tmp", "w") as f:
    f.write(os.readlink("/proc/self"))
os.rename(pidfile + ".tmp", pidfile)
while True:
    time.sleep(3600)
' "$n" "$pidfile" &
	EXPORT_PIDS+=("$!")
	wait_until 30 test -s "$pidfile" || return 1
	NS_INIT=$(cat "$pidfile")
	NS_INUM=$(stat -L -c %i "/proc/$NS_INIT/ns/pid")
	# the zombies are there before the test looks
	wait_until 30 output_is "$n" zombies_of "$NS_INIT"
}

zombies_of() {
	# shellcheck disable=SC2009 # pgrep cannot select by state
	ps -o stat= --ppid "$1" | grep -c Z
}

# raw_http PORT [SRC_ADDR] — send stdin's bytes as they are, print the whole
# answer (until the server closes, or 10 s).  For requests curl will not send.
raw_http() {
	/usr/bin/python3 -c '
import socket, sys, time
port, src = int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None
s = socket.socket()
if src:
    s.bind((src, 0))
s.settimeout(10)
s.connect(("127.0.0.1", port))
s.sendall(sys.stdin.buffer.read())
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    pass
sys.stdout.buffer.write(out)
' "$@"
}

# status_of — the status code of an HTTP answer on stdin
status_of() {
	head -1 | tr -d '\r' | awk '{print $2}'
}
