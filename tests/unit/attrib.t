#!/usr/bin/env bash
# tests/unit/attrib.t — userspace/attrib.c: cgroup-path table, cmdline
# formatting, and (as root) real processes: a new UTS namespace, v1 + v2
# cgroups named like containers, exited and zombie pids.
# The binary comes from ${UNIT_BIN_DIR:-$BUILD/tests} (the sanitizer pass
# points BUILD at build/san).
# timeout: 300
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
bin=${UNIT_BIN_DIR:-$BUILD/tests}/attrib_test
[ -x "$bin" ] || bail "$bin not built (make test-bins)"

# A run killed with SIGKILL cannot clean up: remove its cgroups (test ids
# start with c0ffee, nesting dirs with pw-deep-), deepest first, and the
# sleepers in them, before starting.
while read -r d; do
	xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null
	wait_until 5 rmdir "$d" || diag "could not remove stale $d"
done < <(find /sys/fs/cgroup/pids /sys/fs/cgroup/unified -depth -type d \
	\( -name 'libpod-c0ffee*' -o -name 'docker-c0ffee*' -o -name 'pw-deep-*' \) 2>/dev/null)
# exec: a timeout's SIGTERM reaches attrib_test, whose handler cleans up.
exec "$bin"
