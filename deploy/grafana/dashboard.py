#!/usr/bin/python3
"""deploy/grafana/dashboard.py — writes deploy/grafana/pausewatch.json, the
Grafana dashboard over pausewatch's metric families (docs/metrics.md).

    deploy/grafana/dashboard.py [OUT.json]     (default: next to this file)

The JSON is committed; this is how it is made, so a change is one line here
(tests/deploy/dashboard.t checks the committed file is what this writes).
Variables: $datasource, $node (every node with an exporter), $pod (pod UIDs
on those nodes; "All" is .+, which leaves out the host's own namespaces).
Per-namespace series carry only node and pidns: the per-pod panels join
pausewatch_namespace_info on (node, pidns) for pod_uid, hostname,
container_id and init_comm.
"""
import json
import os
import sys

DS = {"type": "prometheus", "uid": "${datasource}"}
RI = "$__rate_interval"
# The attribution of the selected pods' namespaces, one series per (node, pidns).
INFO = ('max by (node, pidns, pod_uid, hostname, container_id, init_comm) '
        '(pausewatch_namespace_info{node=~"$node", pod_uid=~"$pod"})')
panels = []


def pod(expr):
    """A per-namespace expression with the pod's labels attached, only $pod."""
    return '(%s) * on (node, pidns) group_left (pod_uid, hostname, container_id, init_comm) %s' % (expr, INFO)


def panel(kind, title, targets, x, y, w, h, unit=None, desc=""):
    """targets: (expr, legend, extra target fields or None)."""
    p = {"id": len(panels) + 1, "type": kind, "title": title, "description": desc, "datasource": DS,
         "gridPos": {"x": x, "y": y, "w": w, "h": h},
         "targets": [dict({"refId": chr(65 + i), "datasource": DS, "expr": e, "legendFormat": lg}, **(o or {}))
                     for i, (e, lg, o) in enumerate(targets)],
         "fieldConfig": {"defaults": {"unit": unit} if unit else {}, "overrides": []}, "options": {}}
    panels.append(p)


def row(title, y):
    panels.append({"id": len(panels) + 1, "type": "row", "title": title, "collapsed": False,
                   "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": []})


row("Nodes", 0)
panel("stat", "Zombies now", [('sum(pausewatch_zombies{node=~"$node"})', "zombies", None)], 0, 1, 4, 4,
      desc="Zombies waiting to be reaped on the selected nodes, all PID namespaces.")
panel("stat", "Oldest zombie", [('max(pausewatch_oldest_zombie_age_seconds{node=~"$node"})', "oldest", None)], 4, 1, 4, 4, unit="s")
panel("stat", "SIGTERM ignored by an init (range)", [('sum(increase(pausewatch_signals_ignored_by_init_total{node=~"$node", signal="SIGTERM"}[$__range]))', "ignored", None)], 8, 1, 4, 4,
      desc="SIGTERMs the kernel dropped because the target was its namespace's init without a handler.")
panel("stat", "PID namespaces", [('count(pausewatch_namespace_alive{node=~"$node"} == 1)', "alive", None)], 12, 1, 4, 4)
panel("stat", "Drops (range)", [('sum(increase(pausewatch_dropped_total{node=~"$node"}[$__range]))', "dropped", None)], 16, 1, 4, 4,
      desc="Losses (full tables); never silent. Non-zero: see docs/telemetry.md, Maps and limits.")
panel("stat", "Worst pids limit use", [('max(pausewatch_pids_current{node=~"$node"} / pausewatch_pids_max{node=~"$node"})', "use", None)], 20, 1, 4, 4, unit="percentunit")
panel("timeseries", "Zombies by node", [('sum by (node) (pausewatch_zombies{node=~"$node"})', "{{node}}", None)], 0, 5, 12, 8)
panel("timeseries", "Oldest zombie by node", [('max by (node) (pausewatch_oldest_zombie_age_seconds{node=~"$node"})', "{{node}}", None)], 12, 5, 12, 8, unit="s")
panel("timeseries", "Exits, reaps and autoreaps per second", [
    ('sum by (node) (rate(pausewatch_exits_total{node=~"$node"}[%s]))' % RI, "{{node}} exits", None),
    ('sum by (node) (rate(pausewatch_reaped_total{node=~"$node"}[%s]))' % RI, "{{node}} reaped", None),
    ('sum by (node) (rate(pausewatch_autoreaped_total{node=~"$node"}[%s]))' % RI, "{{node}} autoreaped", None)], 0, 13, 12, 8, unit="ops")
panel("timeseries", "Orphans adopted per second, by reaper", [
    ('sum by (node, reaper) (rate(pausewatch_orphans_adopted_total{node=~"$node"}[%s]))' % RI, "{{node}} {{reaper}}", None)], 12, 13, 12, 8, unit="ops")
panel("timeseries", "Signals per second, by signal and result", [
    ('sum by (node, signal, result) (rate(pausewatch_signals_generated_total{node=~"$node"}[%s]))' % RI, "{{node}} {{signal}} {{result}}", None)], 0, 21, 12, 8, unit="ops")
panel("timeseries", "Reap latency (exit to reap), p50 and p99", [
    ('histogram_quantile(0.5, sum by (node, le) (rate(pausewatch_zombie_dwell_seconds_bucket{node=~"$node"}[%s])))' % RI, "{{node}} p50", None),
    ('histogram_quantile(0.99, sum by (node, le) (rate(pausewatch_zombie_dwell_seconds_bucket{node=~"$node"}[%s])))' % RI, "{{node}} p99", None)], 12, 21, 12, 8, unit="s")
panel("timeseries", "Drops per second, by kind", [
    ('sum by (node, what) (rate(pausewatch_dropped_total{node=~"$node"}[%s]))' % RI, "{{node}} {{what}}", None)], 0, 29, 12, 8, unit="ops")
panel("timeseries", "Exporter: snapshot time, BPF time per run, memory", [
    ('max by (node) (pausewatch_snapshot_duration_seconds{node=~"$node"})', "{{node}} snapshot", None),
    ('sum by (node) (rate(pausewatch_bpf_run_time_seconds_total{node=~"$node"}[%s])) / sum by (node) (rate(pausewatch_bpf_runs_total{node=~"$node"}[%s]))' % (RI, RI), "{{node}} BPF per run", None)], 12, 29, 8, 8, unit="s",
    desc="BPF run time needs kernel.bpf_stats_enabled=1 on the node.")
panel("timeseries", "Exporter memory", [('max by (node) (process_resident_memory_bytes{node=~"$node"})', "{{node}}", None)], 20, 29, 4, 8, unit="bytes")
panel("table", "What runs", [('pausewatch_build_info{node=~"$node"}', "", {"format": "table", "instant": True})], 0, 37, 24, 5)
row("Pods", 42)
panel("table", "PID namespaces of the selected pods", [
    ('pausewatch_namespace_info{node=~"$node", pod_uid=~"$pod"}', "", {"format": "table", "instant": True})], 0, 43, 24, 7,
    desc="Attribution from cgroup paths and the UTS namespace (hostname: the pod name when the pod has its own UTS namespace).")
panel("timeseries", "Zombies by pod", [(pod('pausewatch_zombies'), "{{hostname}} {{pod_uid}} ({{init_comm}})", None)], 0, 50, 12, 8)
panel("timeseries", "Oldest zombie by pod", [(pod('pausewatch_oldest_zombie_age_seconds'), "{{hostname}} {{pod_uid}}", None)], 12, 50, 12, 8, unit="s")
panel("timeseries", "Reaps per second by pod", [
    (pod('rate(pausewatch_reaped_total[%s])' % RI), "{{hostname}} {{pod_uid}} reaped", None),
    (pod('rate(pausewatch_pause_reaped_total[%s])' % RI), "{{hostname}} {{pod_uid}} by pause", None)], 0, 58, 12, 8, unit="ops")
panel("timeseries", "Orphans adopted per second by pod", [
    ('sum by (node, pidns, pod_uid, hostname, reaper) (%s)' % pod('rate(pausewatch_orphans_adopted_total[%s])' % RI), "{{hostname}} {{pod_uid}} {{reaper}}", None)], 12, 58, 12, 8, unit="ops")
panel("timeseries", "PID limit use by pod", [(pod('pausewatch_pids_current / pausewatch_pids_max'), "{{hostname}} {{pod_uid}}", None)], 0, 66, 12, 8, unit="percentunit")
panel("timeseries", "Processes by pod", [(pod('pausewatch_processes'), "{{hostname}} {{pod_uid}}", None)], 12, 66, 12, 8)
panel("timeseries", "SIGTERM ignored by the init, by pod", [
    (pod('increase(pausewatch_signals_ignored_by_init_total{signal="SIGTERM"}[%s])' % RI), "{{hostname}} {{pod_uid}} ({{init_comm}})", None)], 0, 74, 12, 8)
panel("table", "Init's SIGTERM disposition by pod", [
    (pod('pausewatch_init_signal_disposition{signal="SIGTERM"} == 1'), "", {"format": "table", "instant": True})], 12, 74, 12, 8,
    desc="catch or blocked: the init receives SIGTERM; default or ignore: the kernel drops it.")
panel("timeseries", "Reap latency by pod, p99", [
    ('histogram_quantile(0.99, sum by (pod_uid, hostname, le) (%s))' % pod('rate(pausewatch_zombie_dwell_seconds_bucket[%s])' % RI), "{{hostname}} {{pod_uid}}", None)], 0, 82, 24, 8, unit="s")

dash = {
    "title": "pausewatch: zombies, orphans and signals",
    "uid": "pausewatch",
    "description": "Per node and per pod, from pausetop --listen (docs/metrics.md, docs/deploy.md).",
    "tags": ["pausewatch", "kubernetes"],
    "editable": True,
    "schemaVersion": 39,
    "version": 1,
    "refresh": "30s",
    "time": {"from": "now-6h", "to": "now"},
    "timezone": "",
    "graphTooltip": 1,
    "annotations": {"list": []},
    "links": [],
    "templating": {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "refresh": 1, "options": [], "regex": ""},
        {"name": "node", "label": "Node", "type": "query", "datasource": DS,
         "query": {"query": "label_values(pausewatch_build_info, node)", "refId": "node"},
         "definition": "label_values(pausewatch_build_info, node)",
         "includeAll": True, "allValue": ".+", "multi": True, "refresh": 2, "sort": 1,
         "current": {}, "options": [], "hide": 0, "regex": ""},
        {"name": "pod", "label": "Pod UID", "type": "query", "datasource": DS,
         "query": {"query": 'label_values(pausewatch_namespace_info{node=~"$node"}, pod_uid)', "refId": "pod"},
         "definition": 'label_values(pausewatch_namespace_info{node=~"$node"}, pod_uid)',
         "includeAll": True, "allValue": ".+", "multi": True, "refresh": 2, "sort": 1,
         "current": {}, "options": [], "hide": 0, "regex": ""},
    ]},
    "panels": panels,
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "pausewatch.json")
with open(out, "w", encoding="utf-8") as f:
    json.dump(dash, f, indent=2)
    f.write("\n")
