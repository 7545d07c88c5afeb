#!/usr/bin/env bash
# lint.t — `make lint` in the test run: clang-tidy with the checked-in
# .clang-tidy over the C tree (bpf/*.bpf.c excluded, see tests/lint/lint.sh),
# no finding beyond tests/lint/baseline.txt.  First, that the configuration
# catches real bugs at all: a use after free, an unchecked atoi, a signal
# handler calling printf.
# timeout: 1200
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
command -v clang-tidy >/dev/null || bail "clang-tidy missing (scripts/deps.sh test)"
[ -f "$BUILD/bpf/pausewatch.skel.h" ] || bail "$BUILD/bpf/pausewatch.skel.h missing: make all"

probe=$BUILD/lint-probe
mkdir -p "$probe"
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$probe"'
cat >"$probe/bad.c" <<'C'
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
static void on_sig(int sig) { printf("%d\n", sig); }
int bad(const char *arg)
{
	int *p = malloc(sizeof(*p));
	signal(SIGINT, on_sig);
	free(p);
	return *p + atoi(arg);
}
C
out=$(tests/lint/lint.sh "${probe#"$ROOT"/}/bad.c" 2>&1)
is "$?" 1 "the configuration finds bugs (a probe file with three)"
for check in clang-analyzer-unix.Malloc cert-err34-c bugprone-signal-handler; do
	grep -q "x $check " <<<"$out"
	ok $? "... $check"
done
rm -rf "$probe"

tests/lint/lint.sh >"$BUILD/lint.out" 2>&1
rc=$?
grep '^lint: ' "$BUILD/lint.out" | sed 's/^/# /'
is "$rc" 0 "the C tree is clean against tests/lint/baseline.txt ($(tail -1 "$BUILD/lint.out"))"
done_testing
