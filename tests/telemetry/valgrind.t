#!/usr/bin/env bash
# timeout: 300
# pausetop under valgrind memcheck: no invalid access, no leak, across
# several snapshots (namespaces appear and die in between).
. "$(dirname "$0")/../lib.sh"
need_root
command -v valgrind >/dev/null || bail "valgrind missing (scripts/deps.sh test)"
bin=$BUILD/dyn/pausetop
[ -x "$bin" ] || bail "dynamic pausetop not built: $bin (make test-bins)"
log=$(mktemp)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -f "$log"; kill $churn 2>/dev/null'
# namespaces come and go while it runs, so the retire path is exercised too
( for _ in $(seq 40); do unshare -fp true; sleep 0.05; done ) &
# shellcheck disable=SC2034  # killed by the on_exit command
churn=$!
valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--suppressions="$ROOT/tests/valgrind/bpf.supp" -q \
	"$bin" --json -n 4 -d 0.5 >"$log.out" 2>"$log"
rc=$?
is "$rc" 0 "pausetop --json -n 4 is valgrind-clean"
grep -v 'unhandled eBPF command' "$log" | sed 's/^/# /' | head -40
is "$(wc -l <"$log.out")" 4 "and printed 4 snapshots"
rm -f "$log.out"
done_testing
