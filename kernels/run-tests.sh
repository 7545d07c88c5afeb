#!/bin/sh
# run-tests.sh — the part of a matrix row that runs on the kernel under test:
# inside the guest (busybox ash, started by kernels/init.sh) and, unchanged,
# on the host for the host row.  Everything it prints for the host to read is
# prefixed "PW| " and framed by marker lines, so kernel messages that land on
# the same console cannot be mistaken for results:
#
#   === PW-KMATRIX BEGIN release=RELEASE
#   PW| # facts: exit_args=N btf=0|1       (from the probe, see selftest.c)
#   PW| ok 1 - ...                          (the test binary's TAP, verbatim)
#   PW| ok - pausetop ... refused ...       (the wrong-variant check)
#   === PW-KMATRIX DONE rc=RC
#
# Environment: PW_TEST_BIN (TAP test binary), PW_TESTS ("all" or names),
# PW_PAUSE (exported as PAUSE), PW_PAUSETOP (exported as PAUSETOP; empty =
# skip the wrong-variant check, reported as SKIP), PW_PROBE (selftest).
# Exit status: 0 when the test binary and the check passed, 1 otherwise.

say() { echo "PW| $*"; }

echo "=== PW-KMATRIX BEGIN release=$(uname -r)"
rc=0
tmp=$(mktemp -d) || { echo "=== PW-KMATRIX DONE rc=1"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
# A sh killed by a signal skips its EXIT trap: the matrix stops a silent host
# run with SIGTERM (timeout(1) passes it on), and its $tmp must go too.
trap 'exit 143' TERM INT HUP

facts=$("$PW_PROBE" --facts 2>&1)
say "# facts: $facts"
exit_args=$(echo "$facts" | sed -n 's/.*exit_args=\(-\{0,1\}[0-9]*\).*/\1/p')

# stream NAME TAG CMD... — run CMD in $tmp and pass its output on line by
# line as it comes (no pipe buffers: a test that hangs or crashes the kernel
# still leaves what it printed on the console).  With TAG, TAP descriptions
# get "TAG: " and comments become "# TAG: ..." (so its "# variants:" is not
# taken for the test binary's).  The exit status travels through a file,
# out of the pipeline.
stream() {
	name=$1 tag=$2
	shift 2
	{ (cd "$tmp" && exec "$@") 2>&1; echo $? >"$tmp/rc"; } |
		while IFS= read -r line; do
			if [ -n "$tag" ]; then
				case "$line" in
				"#"*) line="# $tag:${line#\#}" ;;
				"ok "*" - "*|"not ok "*" - "*) line="${line%% - *} - $tag: ${line#* - }" ;;
				esac
			fi
			say "$line"
		done
	src=$(cat "$tmp/rc" 2>/dev/null || echo 127)
	say "# $name exited $src"
	[ "$src" = 0 ] || rc=1
}

# The probe's own checks first: does BPF work here at all (BTF, tp/ and
# raw_tp/ attach and count exactly)?  Skipped when the probe is the test binary.
if [ "$PW_PROBE" != "$PW_TEST_BIN" ]; then
	stream probe probe "$PW_PROBE"
fi

tests=$PW_TESTS
[ "$tests" = all ] && tests=
export PAUSE="$PW_PAUSE" PAUSETOP="$PW_PAUSETOP"
# shellcheck disable=SC2086  # the list is deliberately split into names
stream "${PW_TEST_BIN##*/}" '' "$PW_TEST_BIN" $tests

# Forcing the 6.16+ exit program onto a kernel whose sched_process_exit has
# no group_dead argument must be refused by the kernel: pausetop exit 5 and a
# message saying "refused" (docs/kernels.md).  Only asserted where the BTF
# says the argument is missing; on 6.16+ the forced variant is valid.
what="pausetop --json --exit-variant=v616 is refused (exit 5) without group_dead"
if [ -z "$PW_PAUSETOP" ]; then
	say "ok - $what # SKIP no pausetop given (PW_PAUSETOP empty)"
elif [ "$exit_args" = 2 ]; then
	say "ok - $what # SKIP kernel has group_dead (sched_process_exit args=2)"
elif [ "$exit_args" != 1 ]; then
	say "not ok - $what (cannot tell the exit variant: $facts)"
	rc=1
else
	out=$(cd "$tmp" && timeout 120 "$PW_PAUSETOP" --json --exit-variant=v616 2>&1)
	prc=$?
	case "$prc:$out" in
	5:*refused*) say "ok - $what" ;;
	*)
		say "not ok - $what"
		say "#   got exit $prc, want 5 with 'refused'; output:"
		echo "$out" | head -20 | while IFS= read -r line; do say "#   $line"; done
		rc=1
		;;
	esac
fi
echo "=== PW-KMATRIX DONE rc=$rc"
exit $rc
