#!/usr/bin/env bash
# tests/unit/promsrc.t — what pausetop --prometheus reads: JSON, HTTP
# responses, URLs and API answers, valid, malformed, truncated and mutated
# (promsrc_test.c).  The real server: tests/export/cluster.t.
# timeout: 300
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
bin=${UNIT_BIN_DIR:-$BUILD/tests}/promsrc_test
[ -x "$bin" ] || bail "$bin not built (make test-bins)"
exec "$bin"
