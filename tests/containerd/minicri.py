#!/usr/bin/python3
"""tests/containerd/minicri.py — a tiny CRI client (a crictl subset) for the
containerd tests: it talks runtime.v1 gRPC over a unix socket, as the kubelet
does.  Requests are given as JSON in the field names of the CRI messages
(tests/containerd/cri_subset.proto); replies are printed as JSON.

    minicri.py --sock SOCK --stubs DIR VERB ARGS...

The stubs are generated at test time (see cri.t):
    /usr/bin/python3 -m grpc_tools.protoc -I tests/containerd \
        --python_out=DIR --grpc_python_out=DIR cri_subset.proto

Verbs:
    version                         runtime name, version, API version
    status                          runtime conditions (RuntimeReady, ...)
    runp POD.json                   RunPodSandbox; prints the sandbox id
    stopp ID | rmp ID               StopPodSandbox | RemovePodSandbox
    inspectp ID                     PodSandboxStatus (verbose; info decoded)
    pods                            ListPodSandbox
    create POD_ID CTR.json POD.json CreateContainer; prints the container id
    start ID | rm ID                StartContainer | RemoveContainer
    stop ID TIMEOUT                 StopContainer (TIMEOUT seconds, then SIGKILL)
    inspect ID                      ContainerStatus (verbose; info decoded)
    ps [POD_ID]                     ListContainers
    exec ID TIMEOUT CMD...          ExecSync; prints stdout, exits with CMD's code
    images                          ListImages
    inspecti REF                    ImageStatus

Exit status: 0 ok, 1 the runtime answered with an error (its gRPC code and
message on stderr), 2 usage error.  Only Debian's /usr/bin/python3 has the
grpc and protobuf modules this needs (python3-grpcio, python3-protobuf).
"""
import json
import sys


def usage(msg=None):
    if msg:
        print("minicri.py: " + msg, file=sys.stderr)
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    sys.exit(2)


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        usage("cannot read %s: %s" % (path, e))


def decoded_info(info):
    """containerd's verbose info values are JSON documents: decode them."""
    out = {}
    for k, v in info.items():
        try:
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
    return out


class Client:
    def __init__(self, sock, stubs):
        sys.path.insert(0, stubs)
        # Imported here: the stubs exist only after protoc ran into `stubs`.
        import grpc
        from google.protobuf import json_format
        import cri_subset_pb2 as pb
        import cri_subset_pb2_grpc as pbg

        self.grpc, self.jf, self.pb = grpc, json_format, pb
        self.chan = grpc.insecure_channel("unix://" + sock)
        self.rt = pbg.RuntimeServiceStub(self.chan)
        self.img = pbg.ImageServiceStub(self.chan)

    def msg(self, cls, d):
        return self.jf.ParseDict(d, getattr(self.pb, cls)())

    def dump(self, m):
        return self.jf.MessageToDict(m, preserving_proto_field_name=True,
                                     including_default_value_fields=True)

    def call(self, stub, name, cls, d, timeout=120):
        return getattr(stub, name)(self.msg(cls, d), timeout=timeout)


def run(c, verb, args):
    rt, img = c.rt, c.img
    if verb == "version":
        r = c.call(rt, "Version", "VersionRequest", {"version": "v1"})
        return c.dump(r)
    if verb == "status":
        return c.dump(c.call(rt, "Status", "StatusRequest", {}))
    if verb == "runp" and len(args) == 1:
        r = c.call(rt, "RunPodSandbox", "RunPodSandboxRequest",
                   {"config": load_json(args[0])})
        return r.pod_sandbox_id
    if verb == "stopp" and len(args) == 1:
        c.call(rt, "StopPodSandbox", "StopPodSandboxRequest", {"pod_sandbox_id": args[0]})
        return None
    if verb == "rmp" and len(args) == 1:
        c.call(rt, "RemovePodSandbox", "RemovePodSandboxRequest", {"pod_sandbox_id": args[0]})
        return None
    if verb == "inspectp" and len(args) == 1:
        r = c.call(rt, "PodSandboxStatus", "PodSandboxStatusRequest",
                   {"pod_sandbox_id": args[0], "verbose": True})
        d = c.dump(r)
        d["info"] = decoded_info(r.info)
        return d
    if verb == "pods" and not args:
        return c.dump(c.call(rt, "ListPodSandbox", "ListPodSandboxRequest", {})).get("items", [])
    if verb == "create" and len(args) == 3:
        r = c.call(rt, "CreateContainer", "CreateContainerRequest",
                   {"pod_sandbox_id": args[0], "config": load_json(args[1]),
                    "sandbox_config": load_json(args[2])})
        return r.container_id
    if verb in ("start", "rm") and len(args) == 1:
        name = {"start": "StartContainer", "rm": "RemoveContainer"}[verb]
        c.call(rt, name, name + "Request", {"container_id": args[0]})
        return None
    if verb == "stop" and len(args) == 2:
        c.call(rt, "StopContainer", "StopContainerRequest",
               {"container_id": args[0], "timeout": int(args[1])},
               timeout=int(args[1]) + 120)
        return None
    if verb == "inspect" and len(args) == 1:
        r = c.call(rt, "ContainerStatus", "ContainerStatusRequest",
                   {"container_id": args[0], "verbose": True})
        d = c.dump(r)
        d["info"] = decoded_info(r.info)
        return d
    if verb == "ps" and len(args) <= 1:
        f = {"filter": {"pod_sandbox_id": args[0]}} if args else {}
        return c.dump(c.call(rt, "ListContainers", "ListContainersRequest", f)).get("containers", [])
    if verb == "exec" and len(args) >= 3:
        r = c.call(rt, "ExecSync", "ExecSyncRequest",
                   {"container_id": args[0], "cmd": args[2:], "timeout": int(args[1])},
                   timeout=int(args[1]) + 60)
        sys.stdout.buffer.write(r.stdout)
        sys.stderr.buffer.write(r.stderr)
        sys.stdout.flush()
        sys.exit(r.exit_code)
    if verb == "images" and not args:
        return c.dump(c.call(img, "ListImages", "ListImagesRequest", {})).get("images", [])
    if verb == "inspecti" and len(args) == 1:
        r = c.call(img, "ImageStatus", "ImageStatusRequest",
                   {"image": {"image": args[0]}, "verbose": False})
        return c.dump(r)
    usage("unknown verb or wrong arguments: %s %s" % (verb, " ".join(args)))
    return None


def main(argv):
    sock = stubs = None
    while len(argv) >= 2 and argv[0] in ("--sock", "--stubs"):
        if argv[0] == "--sock":
            sock = argv[1]
        else:
            stubs = argv[1]
        argv = argv[2:]
    if not sock or not stubs or not argv:
        usage("need --sock SOCK --stubs DIR VERB")
    c = Client(sock, stubs)
    try:
        out = run(c, argv[0], argv[1:])
    except c.grpc.RpcError as e:
        print("minicri.py: %s: %s: %s" % (argv[0], e.code().name, e.details()), file=sys.stderr)
        return 1
    finally:
        c.chan.close()
    if isinstance(out, str):
        print(out)
    elif out is not None:
        print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
