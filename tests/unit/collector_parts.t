#!/usr/bin/env bash
# tests/unit/collector_parts.t — retention of gone namespaces and the derived
# values of snapshot.c, without root or BPF (collector_parts_test.c).
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
bin=${UNIT_BIN_DIR:-$BUILD/tests}/collector_parts_test
[ -x "$bin" ] || bail "$bin not built (make test-bins)"
exec "$bin"
