#!/usr/bin/env bash
# timeout: 600
# tests/export/load.t — slow and greedy clients do not block scrapes: under
# wrk load on /metrics plus 200 idle open connections, a separate scrape
# still answers within a second (a generous bound: a blocked one would wait
# out the 15 s connection timeout); the per-address cap turns away the
# 9th connection from one address while others still get in; idle
# connections are closed after --http-timeout.
# shellcheck disable=SC2317 # functions called through wait_until and traps
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/export/exportlib.sh
. "$(dirname "$0")/exportlib.sh"
need_root
need_tools wrk curl
[ -x "$PAUSETOP" ] || bail "pausetop not built: $PAUSETOP"
t=$EXPORT_TMP

# hold N connections from SRC to PORT open without a byte sent, for SECS; print
# "held H closed C" once it knows which the server kept (it closes the
# refused at once), then "closed_later K" when SECS are over.
hold() {
	/usr/bin/python3 -c '
import socket, sys, time
port, src, n, secs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
socks = []
for _ in range(n):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    socks.append(s)
time.sleep(1)
held = []
closed = 0
for s in socks:
    s.settimeout(0.05)
    try:
        if s.recv(1) == b"":
            closed += 1
            continue
    except socket.timeout:
        pass
    except OSError:
        closed += 1
        continue
    held.append(s)
print("held %d closed %d" % (len(held), closed), flush=True)
end = time.time() + secs
later = 0
for s in held:
    s.settimeout(max(0.01, end - time.time()))
    try:
        if s.recv(1) == b"":
            later += 1
    except socket.timeout:
        pass
    except OSError:
        later += 1
print("closed_later %d" % later, flush=True)
' "$@"
}

start_exporter a || bail "the exporter did not start"
P=$EXP_PORT

# --- 200 idle connections and wrk, then one more scrape ----------------------------------
hold "$P" 127.0.0.1 200 40 >"$t/idle" &
EXPORT_PIDS+=("$!")
wait_until 30 grep -q '^held' "$t/idle"
is "$(head -1 "$t/idle")" "held 200 closed 0" "200 idle connections are open"
wrk -t1 -c4 -d20s "http://127.0.0.1:$P/metrics" >"$t/wrk" 2>&1 &
wrkpid=$!
EXPORT_PIDS+=("$wrkpid")
sleep 2
slow=0
for i in 1 2 3 4 5; do
	out=$(curl -s -o "$t/scrape" -w '%{http_code} %{time_total}' --max-time 30 "http://127.0.0.1:$P/metrics")
	code=${out% *} secs=${out#* }
	diag "scrape $i under load: HTTP $code in ${secs}s"
	[ "$code" = 200 ] && grep -q '^pausewatch_build_info{' "$t/scrape" &&
		awk -v s="$secs" 'BEGIN { exit !(s < 1.0) }' || slow=$((slow + 1))
	sleep 0.5
done
is "$slow" 0 "under wrk load plus 200 idle connections, 5 separate scrapes each answer within 1 s"
wait $wrkpid
reqs=$(awk '/requests in/ {print $1}' "$t/wrk")
like "$reqs" '^[1-9][0-9]*$' "wrk got answers ($reqs in 20 s)"
is "$(grep -c 'Non-2xx' "$t/wrk")" 0 "all of them 200"
diag "$(grep -E 'Latency|Requests/sec' "$t/wrk" | tr -s ' ' | tr '\n' ' ')"
diag "exporter RSS after the load: $(awk '/VmRSS/ {print $2, $3}' /proc/$EXP_PID/status), peak $(awk '/VmHWM/ {print $2, $3}' /proc/$EXP_PID/status)"
is "$(curl -s --max-time 10 "http://127.0.0.1:$P/healthz")" ok "still healthy"

# --- the per-address cap and the idle timeout -------------------------------------------
start_exporter capped --max-connections-per-ip 8 --http-timeout 3 || bail "the capped exporter did not start"
hold "$EXP_PORT" 127.0.0.2 20 15 >"$t/capped" &
EXPORT_PIDS+=("$!")
wait_until 30 grep -q '^held' "$t/capped"
is "$(head -1 "$t/capped")" "held 8 closed 12" "--max-connections-per-ip 8: 8 of 20 from 127.0.0.2 held, 12 turned away"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$EXP_PORT/metrics")" 200 \
	"meanwhile a scrape from 127.0.0.1 gets in"
wait_until 30 grep -q '^closed_later' "$t/capped"
is "$(tail -1 "$t/capped")" "closed_later 8" "--http-timeout 3: the 8 idle connections are closed by the server"
kill -0 "$EXP_PID"; ok $? "the exporter is still running"

# --- slowloris: trickling requests fill every slot -----------------------------------------
# 4 connections from each of 127.0.0.2 and 127.0.0.3 (the per-address cap) fill the 8 slots,
# each sending one byte of its request every 0.5 s: an inactivity timeout never fires.  A
# scrape from 127.0.0.4 must get in (the oldest trickler is evicted), and every trickler must
# be closed by the request deadline (--http-timeout 2, checked about once a second).
trickle() {
	/usr/bin/python3 -c '
import socket, sys, threading, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for src in ("127.0.0.2", "127.0.0.3"):
    for _ in range(n):
        s = socket.socket()
        s.bind((src, 0))
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        s.send(b"GET /metrics HTTP/1.1\r\nX-Slow: ")
        socks.append([s, time.time(), None])
time.sleep(0.5)
def drip(until, done=lambda: False):
    while time.time() < until and not done():
        for e in socks:
            if e[2] is not None:
                continue
            try:
                if e[0].recv(1024) == b"":
                    e[2] = time.time()
                    continue
            except BlockingIOError:
                pass
            except OSError:
                e[2] = time.time()
                continue
            try:
                e[0].send(b"a")
            except OSError:
                e[2] = time.time()
        time.sleep(0.5)
drip(time.time() + 1.5)
# every slot taken: a scrape from a third address, while the others go on trickling
result = []
def scrape():
    t0 = time.time()
    ans = b""
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.4", 0))
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        while True:
            b = c.recv(4096)
            if not b:
                break
            ans += b
    except OSError:
        pass
    took = time.time() - t0
    status = ans.split(b" ")[1].decode() if ans.startswith(b"HTTP/") else "none"
    result.append("scrape %s %s" % (status, "in time" if took < 5.0 else "slow(%.1fs)" % took))
# the trickle goes on until the scrape is answered (or gives up after 10 s): the old
# server let it in only once the tricklers stopped and timed out
th = threading.Thread(target=scrape)
th.start()
drip(time.time() + 12, lambda: not th.is_alive())
th.join()
print(result[0], flush=True)
# and on until every trickler is closed, or 20 s: the old server closed none of them
drip(time.time() + 20, lambda: all(e[2] is not None for e in socks))
closed = [e[2] - e[1] for e in socks if e[2] is not None]
late = [round(x, 1) for x in closed if x > 2 + 10]
print("tricklers %d closed %d late %s" % (len(socks), len(closed), late), flush=True)
' "$@"
}
start_exporter slow --max-connections 8 --max-connections-per-ip 4 --http-timeout 2 ||
	bail "the exporter for the trickle test did not start"
trickle "$EXP_PORT" 4 >"$t/trickle" 2>&1
is "$(sed -n 1p "$t/trickle")" "scrape 200 in time" \
	"8 trickling connections fill --max-connections 8: a scrape from a third address gets in (within 5 s; at once when idle)"
is "$(sed -n 2p "$t/trickle")" "tricklers 8 closed 8 late []" \
	"every trickler is closed by the 2 s request deadline (within 12 s of its start, loaded; ~3 s idle), however it trickles"

# --max-connections 4 held by idle connections: a 5th from another address is answered
start_exporter four --max-connections 4 --http-timeout 30 || bail "the exporter with 4 slots did not start"
hold "$EXP_PORT" 127.0.0.2 4 6 >"$t/four" &
EXPORT_PIDS+=("$!")
wait_until 30 grep -q '^held' "$t/four"
is "$(head -1 "$t/four")" "held 4 closed 0" "--max-connections 4: 4 idle connections held"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 4 --interface 127.0.0.3 "http://127.0.0.1:$EXP_PORT/healthz")" 200 \
	"a 5th from another address is answered (the oldest idle one is evicted)"
wait_until 30 grep -q '^closed_later' "$t/four"
is "$(tail -1 "$t/four")" "closed_later 1" "exactly one idle connection was evicted for it"
kill -0 "$EXP_PID"; ok $? "the exporter is still running"
done_testing
