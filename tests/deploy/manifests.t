#!/usr/bin/env bash
# tests/deploy/manifests.t — deploy/kubernetes/*.yaml parsed (Debian has no
# kubectl: python3-yaml) and checked for what matters: hostPID, nothing
# privileged, exactly the four capabilities, read-only everything, the
# image `make image-pausetop` + `ctr import` produces, one port everywhere
# (args, containerPort, Service, annotations, the systemd unit), the
# Service selecting the DaemonSet's pods, the ServiceMonitor the Service.
# tests/containerd/daemonset.t runs the same pod spec under containerd.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

/usr/bin/python3 -c 'import yaml' 2>/dev/null || bail "python3-yaml missing (scripts/deps.sh deploy)"
K=$ROOT/deploy/kubernetes
LIB=$ROOT/tests/deploy/deploylib.py

for f in "$K"/*.yaml; do
	/usr/bin/python3 -c 'import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1])))' "$f" 2>/dev/null
	ok $? "$(basename "$f") parses as YAML"
done
F=$(/usr/bin/python3 "$LIB" manifests "$K") || bail "cannot read the manifests"
fact() { jq -c "$1" <<<"$F"; }

is "$(fact .kinds)" '["Namespace","DaemonSet","Service","ServiceMonitor"]' "namespace, daemonset, service, servicemonitor: the kinds they say"
is "$(fact .namespaces)" '["pausewatch"]' "all in the namespace pausewatch"
is "$(fact .kustomization)" '["namespace.yaml","daemonset.yaml","service.yaml"]' "kustomization: everything but the ServiceMonitor (it needs prometheus-operator's CRDs)"
is "$(fact .psa)" '{"pod-security.kubernetes.io/audit":"privileged","pod-security.kubernetes.io/enforce":"privileged","pod-security.kubernetes.io/warn":"privileged"}' \
	"the namespace opts out of Pod Security baseline (hostPID needs it), and only it"

# ---- the pod ----------------------------------------------------------------------
is "$(fact .hostPID)" true "hostPID: true"
is "$(fact '[.hostNetwork, .hostIPC]')" '[false,false]' "no hostNetwork, no hostIPC"
is "$(fact .privileged_anywhere)" false "no privileged: true anywhere"
is "$(fact .caps_drop)" '["ALL"]' "capabilities: drop ALL"
is "$(fact .caps_add)" '["BPF","PERFMON","SYS_PTRACE","DAC_READ_SEARCH"]' "capabilities: add exactly BPF, PERFMON, SYS_PTRACE, DAC_READ_SEARCH"
is "$(fact '[.runAsUser, .allowPrivilegeEscalation, .readOnlyRootFilesystem]')" '[0,false,true]' \
	"runAsUser 0, allowPrivilegeEscalation false, readOnlyRootFilesystem true"
is "$(fact .seccomp)" '["RuntimeDefault","RuntimeDefault"]' "seccomp RuntimeDefault (pod and container)"
is "$(fact .mounts)" '[{"hostPath":"/sys/kernel/btf","path":"/sys/kernel/btf","readOnly":true}]' \
	"one host path, /sys/kernel/btf, read-only"
is "$(fact .volumes_not_hostpath_or_unused)" '[]' "no volume that is not mounted"
is "$(fact '[.image, .imagePullPolicy]')" '["localhost/pausewatch-pausetop:latest","IfNotPresent"]' \
	"image localhost/pausewatch-pausetop:latest, IfNotPresent (never pulled from a registry named localhost)"
for f in "$K/daemonset.yaml" "$ROOT/docs/deploy.md"; do
	grep -qF 'ctr -n k8s.io images import --base-name localhost/pausewatch-pausetop build/image/pausetop.tar' "$f"
	ok $? "${f#"$ROOT"/} gives the import command that creates that name"
done
grep -q '^image-pausetop:' "$ROOT/image/image.mk"
ok $? "make image-pausetop exists (image/image.mk)"
# shellcheck disable=SC2016 # $(NODE_NAME) is the kubelet's, meant literally
is "$(fact '[.node_name_arg, .node_name_env]')" '["$(NODE_NAME)",["spec.nodeName"]]' \
	"--node-name \$(NODE_NAME) from the downward API (spec.nodeName)"
is "$(fact .memory_limit)" '"64Mi"' "a memory limit (BPF maps and the verifier's peak at load, ~20 MiB, are charged to it)"

# ---- one port everywhere ----------------------------------------------------------
PORT=9810
is "$(fact .listen)" "\"0.0.0.0:$PORT\"" "--listen 0.0.0.0:$PORT (the pod's own network namespace)"
is "$(fact .container_ports)" "{\"metrics\":$PORT}" "containerPort metrics: $PORT"
is "$(fact .probes)" '[["/healthz","metrics"]]' "readiness and liveness: GET /healthz on the metrics port"
is "$(fact .svc_port)" "{\"name\":\"metrics\",\"port\":$PORT,\"targetPort\":$PORT}" "Service port metrics $PORT -> the container's $PORT"
is "$(fact '.svc_annotations | [."prometheus.io/scrape", ."prometheus.io/port", ."prometheus.io/path"]')" \
	"[\"true\",\"$PORT\",\"/metrics\"]" "Service annotations: prometheus.io/scrape true, port $PORT, path /metrics"
grep -q "^ExecStart=/usr/local/bin/pausetop --listen 127.0.0.1:$PORT\$" "$ROOT/deploy/systemd/pausewatch.service"
ok $? "the systemd unit listens on 127.0.0.1:$PORT (loopback unless asked)"

# ---- selectors ---------------------------------------------------------------------
sel_matches() { # SELECTOR LABELS: every selector key/value is in the labels
	jq -e --argjson l "$2" 'to_entries | all(.key as $k | .value == $l[$k])' <<<"$1" >/dev/null
}
sel_matches "$(fact .ds_selector)" "$(fact .pod_labels)"
ok $? "the DaemonSet's selector matches its pod template's labels"
sel_matches "$(fact .svc_selector)" "$(fact .pod_labels)"
ok $? "the Service selects the DaemonSet's pods"
sel_matches "$(fact .sm_selector)" "$(fact .svc_labels)"
ok $? "the ServiceMonitor selects the Service"
is "$(fact '[.sm_namespaces, .sm_ports, .sm_paths]')" '[["pausewatch"],["metrics"],["/metrics"]]' \
	"the ServiceMonitor: namespace pausewatch, port name metrics, path /metrics"
# The check can fail: a selector that misses is seen.
! sel_matches '{"app.kubernetes.io/name":"other"}' "$(fact .pod_labels)"
ok $? "(a selector that does not match is detected)"

# ---- the checks can fail: a privileged copy is caught --------------------------------
T=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$T"'
cp "$K"/*.yaml "$T"/
sed -i 's/privileged: false/privileged: true/' "$T/daemonset.yaml"
is "$(/usr/bin/python3 "$LIB" manifests "$T" | jq .privileged_anywhere)" true "(a copy with privileged: true is detected)"

# Kubernetes refuses allowPrivilegeEscalation: false with CAP_SYS_ADMIN;
# the DaemonSet does not add it (hostnames need it: docs/deploy.md).
is "$(fact '.caps_add | map(select(test("SYS_ADMIN"))) | length')" 0 "no SYS_ADMIN (so no_new_privs is meaningful and the API accepts the pod)"

done_testing
