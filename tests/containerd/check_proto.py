#!/usr/bin/python3
"""tests/containerd/check_proto.py — compare cri_subset.proto with a copy of
the real kubernetes/cri-api pkg/apis/runtime/v1/api.proto: every service,
method, message, field (name, number, type, label) and enum value of the
subset must be the same in the real file.  Run it by hand when the subset
grows or the upstream API moves (the tests run offline, without a copy):

    tests/containerd/check_proto.py /path/to/api.proto

Needs protoc (protobuf-compiler) and Debian's python3-protobuf.  The
`debug_redact` field option, unknown to Debian 12's protoc, is stripped
from the upstream copy before compiling it.
"""
import os
import re
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2


def compile_proto(path, workdir, name):
    src = os.path.join(workdir, name + ".proto")
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"\s*\[debug_redact\s*=\s*true\]", "", f.read())
    with open(src, "w", encoding="utf-8") as f:
        f.write(text)
    out = os.path.join(workdir, name + ".pb")
    subprocess.run(["protoc", "-I" + workdir, "--descriptor_set_out=" + out, src], check=True)
    fds = descriptor_pb2.FileDescriptorSet()
    with open(out, "rb") as f:
        fds.ParseFromString(f.read())
    return fds.file[0]


def index(fd):
    msgs, enums = {}, {}

    def walk(prefix, ms):
        for m in ms:
            msgs[prefix + m.name] = m
            for e in m.enum_type:
                enums[prefix + m.name + "." + e.name] = e
            walk(prefix + m.name + ".", m.nested_type)

    walk("", fd.message_type)
    for e in fd.enum_type:
        enums[e.name] = e
    svcs = {s.name: {m.name: (m.input_type, m.output_type) for m in s.method} for s in fd.service}
    return msgs, enums, svcs


def main(argv):
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as d:
        real = index(compile_proto(argv[0], d, "real"))
        mine = index(compile_proto(os.path.join(here, "cri_subset.proto"), d, "mine"))
    bad = []
    for name, m in mine[0].items():
        r = real[0].get(name)
        if r is None:
            bad.append("message %s: not in the real API" % name)
            continue
        rf = {f.name: f for f in r.field}
        for f in m.field:
            g = rf.get(f.name)
            if g is None or (g.number, g.type, g.label, g.type_name) != (f.number, f.type, f.label, f.type_name):
                bad.append("field %s.%s = %d: %s in the real API" % (
                    name, f.name, f.number, "missing" if g is None else "number %d, type %d%s" % (g.number, g.type, " " + g.type_name if g.type_name else "")))
    for name, e in mine[1].items():
        rv = {v.name: v.number for v in real[1].get(name, e).value} if name in real[1] else {}
        for v in e.value:
            if rv.get(v.name) != v.number:
                bad.append("enum %s.%s = %d: %s in the real API" % (name, v.name, v.number, rv.get(v.name)))
    for svc, methods in mine[2].items():
        for meth, sig in methods.items():
            if real[2].get(svc, {}).get(meth) != sig:
                bad.append("rpc %s.%s%s: not the same in the real API" % (svc, meth, sig))
    for b in bad:
        print(b)
    print("%d messages, %d enums, %d methods checked: %s" % (
        len(mine[0]), len(mine[1]), sum(len(x) for x in mine[2].values()), "%d differences" % len(bad) if bad else "all match"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
