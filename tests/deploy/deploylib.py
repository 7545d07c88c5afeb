#!/usr/bin/python3
"""tests/deploy/deploylib.py — what tests/deploy/*.t read out of deploy/:

    deploylib.py families METRICS_MD         documented family names, one a line
    deploylib.py dashboard DASHBOARD.json    one JSON line per PromQL expression:
                                             {"where": ..., "expr": ...} (panels'
                                             targets and the variables' queries)
    deploylib.py rules RULES.yml             one JSON line per rule: {"where", "expr"}
    deploylib.py names                       PromQL on stdin (one JSON string a line):
                                             the metric names each uses, as JSON lists
    deploylib.py labels                      PromQL on stdin (one JSON string a line):
                                             "family label" for every label matcher
                                             of every selector, one pair a line
    deploylib.py grouping                    PromQL on stdin: the labels named in
                                             by/without/on/ignoring/group_* clauses
    deploylib.py manifests DIR               the facts of deploy/kubernetes as one
                                             JSON object (see facts())
    deploylib.py vars EXPR                   the expression with the dashboard's
                                             variables replaced by values Prometheus
                                             can run ($node/$pod: .+, intervals: 15s)
    deploylib.py get URL [NAME=VALUE...]     HTTP GET with the query parameters
                                             (URL-encoded); the body on stdout
    deploylib.py freeport                    a free TCP port on 127.0.0.1

Needs Debian's /usr/bin/python3 with python3-yaml.
"""
import json
import os
import re
import socket
import sys
import urllib.parse
import urllib.request

import yaml

KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "inf", "nan", "atan2", "start", "end",
            # aggregation operators: followed by `by (...)` as often as by `(`
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
            "count_values", "bottomk", "topk", "quantile"}
HIST = ("_bucket", "_sum", "_count")


def families(path):
    names = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            # table rows: | `family` | type | ... ; the process_* row names four
            if line.startswith("| `"):
                names += re.findall(r"`([a-z_:][a-z0-9_:]*)`", line.split("|")[1])
    return sorted(set(names))


def sub_vars(expr):
    expr = expr.replace("$__rate_interval", "15s").replace("$__interval", "15s")
    expr = expr.replace("$__range", "1m")
    return re.sub(r"\$\{?(node|pod)\}?", ".+", expr)


def names(expr):
    e = re.sub(r'"(\\.|[^"\\])*"', '""', sub_vars(expr))	# strings
    e = re.sub(r"\{[^}]*\}", "{}", e)				# label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)				# ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", e)
    out = []
    for m in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)", e):
        name, rest = m.group(1), e[m.end():]
        if name in KEYWORDS or re.match(r"\s*\(", rest):
            continue		# keyword, or a function / aggregation
        out.append(name)
    return sorted(set(out))


def label_pairs(expr):
    """(metric, label) for each matcher of each `metric{...}` selector."""
    e = re.sub(r'"(\\.|[^"\\])*"', '""', sub_vars(expr))
    for m in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}", e):
        for lab in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", m.group(2)):
            yield m.group(1), lab


def family_of(name, known):
    if name in known:
        return name
    for suf in HIST:
        if name.endswith(suf) and name[: -len(suf)] in known:
            return name[: -len(suf)]
    return None


def dashboard(path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    for v in d.get("templating", {}).get("list", []):
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        if v.get("type") == "query" and q:
            m = re.fullmatch(r"label_values\((.*),\s*([a-z_]+)\)", q.strip())
            yield {"where": "variable $%s" % v["name"], "expr": m.group(1) if m else q,
                   "label": m.group(2) if m else None}
    for p in d.get("panels", []):
        for t in p.get("targets", []):
            yield {"where": "panel %d %r target %s" % (p["id"], p["title"], t.get("refId")),
                   "expr": t["expr"]}


def rules(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    for g in doc["groups"]:
        for r in g["rules"]:
            yield {"where": r.get("alert") or r.get("record"), "expr": r["expr"]}


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def facts(d):
    """Everything tests/deploy/manifests.t asserts, read from the YAML."""
    ds = load_all(os.path.join(d, "daemonset.yaml"))[0]
    svc = load_all(os.path.join(d, "service.yaml"))[0]
    sm = load_all(os.path.join(d, "servicemonitor.yaml"))[0]
    ns = load_all(os.path.join(d, "namespace.yaml"))[0]
    kz = load_all(os.path.join(d, "kustomization.yaml"))[0]
    spec = ds["spec"]["template"]["spec"]
    (c,) = spec["containers"]
    sc = c.get("securityContext", {})
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    args = c.get("args", [])
    listen = args[args.index("--listen") + 1] if "--listen" in args else None
    port_by_name = {p["name"]: p["containerPort"] for p in c.get("ports", [])}

    def privileged_anywhere(obj):
        if isinstance(obj, dict):
            return any(k == "privileged" and v is True or privileged_anywhere(v) for k, v in obj.items())
        if isinstance(obj, list):
            return any(privileged_anywhere(x) for x in obj)
        return False

    svc_port = svc["spec"]["ports"][0]
    target = svc_port.get("targetPort")
    return {
        "kinds": [x["kind"] for x in (ns, ds, svc, sm)],
        "namespaces": sorted({x["metadata"].get("namespace", x["metadata"]["name"]) for x in (ns, ds, svc, sm)}),
        "kustomization": kz.get("resources", []),
        "hostPID": spec.get("hostPID"),
        "hostNetwork": spec.get("hostNetwork", False),
        "hostIPC": spec.get("hostIPC", False),
        "privileged_anywhere": privileged_anywhere(ds),
        "caps_add": sc.get("capabilities", {}).get("add", []),
        "caps_drop": sc.get("capabilities", {}).get("drop", []),
        "runAsUser": sc.get("runAsUser"),
        "allowPrivilegeEscalation": sc.get("allowPrivilegeEscalation"),
        "readOnlyRootFilesystem": sc.get("readOnlyRootFilesystem"),
        "seccomp": [spec.get("securityContext", {}).get("seccompProfile", {}).get("type"),
                    sc.get("seccompProfile", {}).get("type")],
        "mounts": [{"path": m["mountPath"], "readOnly": m.get("readOnly", False),
                    "hostPath": vols[m["name"]].get("hostPath", {}).get("path")}
                   for m in c.get("volumeMounts", [])],
        "volumes_not_hostpath_or_unused": sorted(set(vols) - {m["name"] for m in c.get("volumeMounts", [])}),
        "image": c["image"],
        "imagePullPolicy": c.get("imagePullPolicy"),
        "listen": listen,
        "node_name_arg": args[args.index("--node-name") + 1] if "--node-name" in args else None,
        "node_name_env": [e["valueFrom"]["fieldRef"]["fieldPath"] for e in c.get("env", [])
                          if e["name"] == "NODE_NAME" and "valueFrom" in e],
        "container_ports": port_by_name,
        "probes": sorted({(c[p]["httpGet"]["path"], str(c[p]["httpGet"]["port"]))
                          for p in ("readinessProbe", "livenessProbe") if p in c}),
        "memory_limit": c.get("resources", {}).get("limits", {}).get("memory"),
        "ds_selector": ds["spec"]["selector"]["matchLabels"],
        "pod_labels": ds["spec"]["template"]["metadata"]["labels"],
        "svc_selector": svc["spec"]["selector"],
        "svc_labels": svc["metadata"]["labels"],
        "svc_port": {"name": svc_port.get("name"), "port": svc_port["port"],
                     "targetPort": port_by_name.get(target, target)},
        "svc_annotations": svc["metadata"].get("annotations", {}),
        "sm_selector": sm["spec"]["selector"]["matchLabels"],
        "sm_namespaces": sm["spec"].get("namespaceSelector", {}).get("matchNames", []),
        "sm_ports": [e.get("port") for e in sm["spec"]["endpoints"]],
        "sm_paths": [e.get("path") for e in sm["spec"]["endpoints"]],
        "psa": {k: v for k, v in ns["metadata"].get("labels", {}).items() if k.startswith("pod-security")},
    }


def main(argv):
    if not argv:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    cmd, args = argv[0], argv[1:]
    if cmd == "families" and len(args) == 1:
        print("\n".join(families(args[0])))
    elif cmd == "dashboard" and len(args) == 1:
        for x in dashboard(args[0]):
            print(json.dumps(x))
    elif cmd == "rules" and len(args) == 1:
        for x in rules(args[0]):
            print(json.dumps(x))
    elif cmd == "names" and not args:
        for line in sys.stdin:
            print(json.dumps(names(json.loads(line))))
    elif cmd == "labels" and not args:
        pairs = set()
        for line in sys.stdin:
            pairs.update(label_pairs(json.loads(line)))
        for f, lab in sorted(pairs):
            print(f, lab)
    elif cmd == "grouping" and not args:
        labs = set()
        for line in sys.stdin:
            for m in re.finditer(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)",
                                 json.loads(line)):
                labs.update(x.strip() for x in m.group(1).split(",") if x.strip())
        print("\n".join(sorted(labs)))
    elif cmd == "family-of" and len(args) == 2:
        known = set(families(args[0]))
        f = family_of(args[1], known)
        print(f or "")
        return 0 if f else 1
    elif cmd == "manifests" and len(args) == 1:
        print(json.dumps(facts(args[0]), sort_keys=True))
    elif cmd == "vars" and len(args) == 1:
        print(sub_vars(args[0]))
    elif cmd == "get" and args:
        q = urllib.parse.urlencode([tuple(a.split("=", 1)) for a in args[1:]])
        try:
            with urllib.request.urlopen(args[0] + ("?" + q if q else ""), timeout=20) as r:
                sys.stdout.write(r.read().decode())
        except urllib.error.HTTPError as e:
            sys.stdout.write(e.read().decode())	# Prometheus' error body is JSON
            return 1
        except OSError as e:
            print("deploylib.py get %s: %s" % (args[0], e), file=sys.stderr)
            return 1
    elif cmd == "freeport" and not args:
        with socket.socket() as so:
            so.bind(("127.0.0.1", 0))
            print(so.getsockname()[1])
    else:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
