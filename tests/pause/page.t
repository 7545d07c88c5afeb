#!/usr/bin/env bash
# page.t — unit tests of the counters-page reader (userspace/pause_page.c)
# with hostile pages: see tests/pause/pause_page_test.c.
# timeout: 120
source "$(dirname "$0")/../lib.sh"
case "$PAUSE" in
*/san/*) bin=$BUILD/san/tests/pause_page_test ;;
*) bin=$BUILD/tests/pause_page_test ;;
esac
[ -x "$bin" ] || bail "$bin missing: run make test-bins san-bins"
exec "$bin"
