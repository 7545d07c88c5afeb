#!/usr/bin/python3
"""tests/containerd/kubelet_like.py — turn the pod template of a DaemonSet
manifest into the CRI requests the kubelet would send for it, as JSON for
minicri.py (PodSandboxConfig, ContainerConfig).

    kubelet_like.py DAEMONSET.yaml CONTAINER POD_UID NODE_NAME CGROUP_PARENT LOG_DIR OUT_DIR

writes OUT_DIR/pod.json and OUT_DIR/ctr.json.  What is translated (the
kubelet's rules, kuberuntime_sandbox.go / kuberuntime_container.go /
securitycontext):
  hostNetwork/hostPID/hostIPC   namespace_options NODE, else POD (the pod's
                                own PID namespace is CONTAINER unless
                                shareProcessNamespace)
  hostname                      the pod name, unless hostNetwork (then none)
  pod securityContext.seccompProfile  sandbox seccomp
  container securityContext     capabilities (add, drop), privileged,
                                runAsUser/Group, readOnlyRootFilesystem,
                                allowPrivilegeEscalation=false -> no_new_privs,
                                seccompProfile (container wins over pod),
                                the kubelet's default masked/read-only /proc paths
  args/command, env (fieldRef spec.nodeName), $(VAR) expansion in args
  volumeMounts of hostPath volumes  mounts (readOnly -> readonly)
  resources.limits.memory       memory_limit_in_bytes
Anything else the test does not need is refused loudly rather than ignored.
Needs Debian's /usr/bin/python3 with python3-yaml.
"""
import base64
import json
import os
import re
import sys

import yaml

# The kubelet's defaults for procMount: Default (pkg/securitycontext/util.go).
MASKED = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
          "/sys/firmware", "/sys/devices/virtual/powercap"]
READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

UNITS = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "k": 10**3, "M": 10**6, "G": 10**9, "": 1}


def die(msg):
    print("kubelet_like.py: " + msg, file=sys.stderr)
    sys.exit(1)


def quantity(q):
    m = re.fullmatch(r"([0-9]+)(Ki|Mi|Gi|k|M|G|)", str(q))
    if not m:
        die("cannot read the quantity %r" % q)
    return int(m.group(1)) * UNITS[m.group(2)]


def seccomp(profile):
    if not profile:
        return None
    kind = profile.get("type")
    if kind not in ("RuntimeDefault", "Unconfined"):
        die("seccompProfile type %r is not translated" % kind)
    return {"profile_type": kind}


def expand(arg, env):
    # $(VAR) from the container's env; $$(VAR) stays literal, like the kubelet.
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), arg)


def main(argv):
    if len(argv) != 7:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    manifest, cname, uid, node, cgparent, logdir, outdir = argv
    with open(manifest, encoding="utf-8") as f:
        ds = yaml.safe_load(f)
    if ds.get("kind") != "DaemonSet":
        die("%s is a %s, not a DaemonSet" % (manifest, ds.get("kind")))
    tmpl = ds["spec"]["template"]
    spec = tmpl["spec"]
    ctrs = [c for c in spec["containers"] if c["name"] == cname]
    if len(ctrs) != 1:
        die("no container %r in %s" % (cname, manifest))
    c = ctrs[0]
    podname = "%s-%s" % (ds["metadata"]["name"], uid[:5])
    mode = lambda host: "NODE" if host else "POD"
    pid_mode = "NODE" if spec.get("hostPID") else ("POD" if spec.get("shareProcessNamespace") else "CONTAINER")
    ns = {"network": mode(spec.get("hostNetwork")), "pid": pid_mode, "ipc": mode(spec.get("hostIPC"))}
    # The sandbox's own PID namespace mode: CONTAINER is not valid for it.
    sb_ns = dict(ns, pid="NODE" if pid_mode == "NODE" else "POD")
    psc = spec.get("securityContext", {})
    pod = {
        "metadata": {"name": podname, "uid": uid, "namespace": ds["metadata"]["namespace"], "attempt": 0},
        "log_directory": logdir,
        "labels": dict(tmpl["metadata"].get("labels", {}),
                       **{"io.kubernetes.pod.name": podname, "io.kubernetes.pod.uid": uid}),
        "linux": {"cgroup_parent": cgparent, "security_context": {"namespace_options": sb_ns}},
    }
    if not spec.get("hostNetwork"):
        pod["hostname"] = podname
    if seccomp(psc.get("seccompProfile")):
        pod["linux"]["security_context"]["seccomp"] = seccomp(psc["seccompProfile"])

    env = {}
    for e in c.get("env", []):
        if "value" in e:
            env[e["name"]] = e["value"]
        elif e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "spec.nodeName":
            env[e["name"]] = node
        else:
            die("env %s: only values and fieldRef spec.nodeName are translated" % e["name"])
    sc = c.get("securityContext", {})
    caps = sc.get("capabilities", {})
    lsc = {
        "capabilities": {"add_capabilities": caps.get("add", []), "drop_capabilities": caps.get("drop", [])},
        "privileged": bool(sc.get("privileged", False)),
        "namespace_options": ns,
        "readonly_rootfs": bool(sc.get("readOnlyRootFilesystem", False)),
        "no_new_privs": sc.get("allowPrivilegeEscalation") is False,
        "masked_paths": MASKED,
        "readonly_paths": READONLY,
    }
    for k, field in (("runAsUser", "run_as_user"), ("runAsGroup", "run_as_group")):
        v = sc.get(k, psc.get(k))
        if v is not None:
            lsc[field] = {"value": v}
    prof = seccomp(sc.get("seccompProfile")) or seccomp(psc.get("seccompProfile"))
    if prof:
        lsc["seccomp"] = prof
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = []
    for m in c.get("volumeMounts", []):
        v = vols.get(m["name"])
        if not v or "hostPath" not in v:
            die("volumeMount %s: only hostPath volumes are translated" % m["name"])
        mounts.append({"container_path": m["mountPath"], "host_path": v["hostPath"]["path"],
                       "readonly": bool(m.get("readOnly", False))})
    ctr = {
        "metadata": {"name": cname, "attempt": 0},
        "image": {"image": c["image"]},
        "args": [expand(a, env) for a in c.get("args", [])],
        "envs": [{"key": k, "value": v} for k, v in env.items()],
        "mounts": mounts,
        "labels": {"io.kubernetes.container.name": cname, "io.kubernetes.pod.uid": uid},
        "log_path": "%s/0.log" % cname,
        "linux": {"security_context": lsc},
    }
    # KeyValue.value is bytes in runtime/v1: protobuf's JSON form is base64.
    for kv in ctr["envs"]:
        kv["value"] = base64.b64encode(kv["value"].encode()).decode()
    if "command" in c:
        ctr["command"] = [expand(a, env) for a in c["command"]]
    mem = c.get("resources", {}).get("limits", {}).get("memory")
    if mem is not None:
        ctr["linux"]["resources"] = {"memory_limit_in_bytes": quantity(mem)}
    for name, obj in (("pod.json", pod), ("ctr.json", ctr)):
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
