#!/usr/bin/python3
"""tests/deploy/fixture_exporter.py — serves, on 127.0.0.1:PORT, what two
pausewatch exporters would serve (/node-a/metrics, /node-b/metrics): every
family of docs/metrics.md with the labels it documents, counters that grow
with time, so that a real Prometheus scraping it gives the dashboard and the
alert rules of deploy/ data to evaluate (tests/deploy/prometheus.t).  The
real exporter's output is checked against the same families by
tests/deploy/exporter.t once `pausetop --metrics` exists.

    fixture_exporter.py PORT          (serves until killed)
    fixture_exporter.py --print NODE  (one exposition on stdout)
"""
import http.server
import sys
import time

START = time.time()

SLEEP = "3f1c2a9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3"
PAUSE = "9a8b7c6d5e4f30211f2e3d4c5b6a79880a1b2c3d4e5f60718293a4b5c6d7e8f9"
WEB = "0b1c2d3e4f5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

# node -> [(pidns, level, init_pid, init_comm, hostname, container_id, runtime, pod_uid)]
NAMESPACES = {
    "node-a": [
        ("4026531836", 0, 1, "systemd", "node-a", "", "", ""),
        ("4026532181", 1, 23101, "sleep", "shop-7d9f4", SLEEP, "containerd",
         "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"),
        ("4026532255", 1, 8661, "pause", "web-1", PAUSE, "containerd",
         "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"),
    ],
    "node-b": [
        ("4026531836", 0, 1, "systemd", "node-b", "", "", ""),
        ("4026532301", 1, 4410, "pause", "api-2", WEB, "containerd",
         "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"),
    ],
}


def lbl(**kv):
    return "{" + ",".join('%s="%s"' % (k, v) for k, v in kv.items()) + "}"


def exposition(node):
    t = time.time() - START
    out = []

    def fam(name, kind, help_text):
        out.append("# HELP %s %s" % (name, help_text))
        out.append("# TYPE %s %s" % (name, kind))

    def s(name, value, **kv):
        out.append("%s%s %s" % (name, lbl(node=node, **kv), value))

    nss = NAMESPACES[node]
    fam("pausewatch_namespace_info", "gauge", "Attribution of a PID namespace.")
    for ns, level, pid, comm, host, cid, rt, uid in nss:
        s("pausewatch_namespace_info", 1, pidns=ns, level=level, init_pid=pid, init_comm=comm,
          hostname=host, container_id=cid, runtime=rt, pod_uid=uid)
    fam("pausewatch_namespace_alive", "gauge", "1 while the namespace has processes.")
    for n in nss:
        s("pausewatch_namespace_alive", 1, pidns=n[0])
    # the sleep pod: zombies pile up; the pause pods: none
    zombies = {n[0]: (7 if n[3] == "sleep" else 0) for n in nss}
    fam("pausewatch_processes", "gauge", "Processes in the namespace.")
    for n in nss:
        s("pausewatch_processes", 200 if n[1] == 0 else 12, pidns=n[0])
    fam("pausewatch_zombies", "gauge", "Zombies now.")
    for n in nss:
        s("pausewatch_zombies", zombies[n[0]], pidns=n[0])
    fam("pausewatch_oldest_zombie_age_seconds", "gauge", "Age of the oldest zombie.")
    for n in nss:
        if zombies[n[0]]:
            s("pausewatch_oldest_zombie_age_seconds", "%.3f" % (700 + t), pidns=n[0])
    fam("pausewatch_zombie_dwell_seconds", "histogram", "Exit to reap time.")
    for n in nss:
        reaps = int(5 * t) + 10
        cum = 0
        for i, le in enumerate(("1e-06", "0.000128", "0.016384", "2.097152", "+Inf")):
            cum = reaps * (i + 1) // 5
            s("pausewatch_zombie_dwell_seconds_bucket", cum, pidns=n[0], le=le)
        s("pausewatch_zombie_dwell_seconds_sum", "%.6f" % (reaps * 0.01), pidns=n[0])
        s("pausewatch_zombie_dwell_seconds_count", cum, pidns=n[0])
    for name, per_s in (("pausewatch_exits_total", 6), ("pausewatch_zombie_exits_total", 5),
                        ("pausewatch_reaped_total", 5), ("pausewatch_autoreaped_total", 1),
                        ("pausewatch_orphans_already_zombie_total", 1),
                        ("pausewatch_orphans_killed_with_init_total", 0)):
        fam(name, "counter", name)
        for n in nss:
            s(name, int(per_s * t) + 3, pidns=n[0])
    fam("pausewatch_orphans_adopted_total", "counter", "Orphans adopted, by reaper.")
    for n in nss:
        for reaper, per_s in (("init", 2), ("subreaper", 1), ("thread", 0), ("unknown", 0)):
            s("pausewatch_orphans_adopted_total", int(per_s * t), pidns=n[0], reaper=reaper)
    fam("pausewatch_signals_generated_total", "counter", "Signals sent to the namespace.")
    fam("pausewatch_signals_delivered_total", "counter", "Signals dequeued.")
    fam("pausewatch_signals_ignored_by_init_total", "counter", "Signals dropped: init has no handler.")
    for n in nss:
        s("pausewatch_signals_generated_total", int(5 * t) + 1, pidns=n[0], signal="SIGCHLD", result="delivered")
        s("pausewatch_signals_delivered_total", int(5 * t) + 1, pidns=n[0], signal="SIGCHLD", action="handler")
        if n[3] == "sleep":
            s("pausewatch_signals_generated_total", int(t / 2) + 1, pidns=n[0], signal="SIGTERM", result="ignored")
            s("pausewatch_signals_ignored_by_init_total", int(t / 2) + 1, pidns=n[0], signal="SIGTERM")
    fam("pausewatch_init_signal_disposition", "gauge", "The init's disposition (stateset).")
    for n in nss:
        now = {"sleep": "default", "pause": "blocked", "systemd": "catch"}[n[3]]
        for sig in ("SIGTERM", "SIGINT"):
            for disp in ("catch", "blocked", "ignore", "default"):
                s("pausewatch_init_signal_disposition", int(disp == now), pidns=n[0], signal=sig, disposition=disp)
    fam("pausewatch_pids_current", "gauge", "pids.current of the init's pids cgroup.")
    fam("pausewatch_pids_max", "gauge", "pids.max of that cgroup.")
    fam("pausewatch_pids_max_events_total", "counter", "Forks refused by that limit.")
    for n in nss:
        if n[1] == 0:
            s("pausewatch_pids_current", 300, pidns=n[0])	# unlimited: no pids_max
            continue
        s("pausewatch_pids_current", 95 if n[3] == "sleep" else 12, pidns=n[0])
        s("pausewatch_pids_max", 100 if n[3] == "sleep" else 1024, pidns=n[0])
        s("pausewatch_pids_max_events_total", int(t) if n[3] == "sleep" else 0, pidns=n[0])
    fam("pausewatch_pause_reaped_total", "counter", "Children our pause reaped.")
    for n in nss:
        if n[3] == "pause":
            s("pausewatch_pause_reaped_total", int(2 * t), pidns=n[0])
    fam("pausewatch_dropped_total", "counter", "Losses.")
    s("pausewatch_dropped_total", int(t / 3), what="exit_slot_evicted")
    s("pausewatch_dropped_total", 0, what="namespace_table_full")
    fam("pausewatch_recovered_total", "counter", "Repairs.")
    s("pausewatch_recovered_total", 2, what="walk_reaped")
    fam("pausewatch_build_info", "gauge", "What runs.")
    s("pausewatch_build_info", 1, version="3.10-pw0.1.0", exit_variant="v616", attach="tp_btf", walk="task_iter")
    fam("pausewatch_bpf_run_time_seconds_total", "counter", "BPF run time.")
    s("pausewatch_bpf_run_time_seconds_total", "%.6f" % (0.0005 * t))
    fam("pausewatch_bpf_runs_total", "counter", "BPF runs.")
    s("pausewatch_bpf_runs_total", int(1000 * t))
    fam("pausewatch_snapshot_duration_seconds", "gauge", "This scrape's snapshot time.")
    s("pausewatch_snapshot_duration_seconds", 0.0021)
    for name, kind, v in (("process_cpu_seconds_total", "counter", "%.2f" % (0.01 * t)),
                          ("process_resident_memory_bytes", "gauge", 9437184),
                          ("process_start_time_seconds", "gauge", "%.0f" % START),
                          ("process_open_fds", "gauge", 23)):
        fam(name, kind, name)
        s(name, v)
    return "\n".join(out) + "\n"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[1] != "metrics" or parts[0] not in NAMESPACES:
            self.send_error(404)
            return
        body = exposition(parts[0]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main(argv):
    if len(argv) == 2 and argv[0] == "--print":
        sys.stdout.write(exposition(argv[1]))
        return 0
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    http.server.HTTPServer(("127.0.0.1", int(argv[0])), Handler).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
