#!/usr/bin/env bash
# tests/kernels/infra.t — the kernel matrix's own machinery can fail, and it
# reports exactly why.  It checks the wrong-variant check in run-tests.sh with
# fake binaries, and qemu-exit's argument checks.  Then it boots the 6.1 cloud
# kernel with stand-in test binaries that fail, crash the kernel, or pass, and
# checks that the matrix turns each of them into the right row and exit status,
# that a guest that stalls under TCG is stopped early and booted once more,
# and that a run whose output stops is stopped however long it may run.
# timeout: 1200
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_root

cd "$ROOT" || bail "cannot cd to $ROOT"
tmp=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$tmp"'
QEMU_EXIT=$BUILD/kernels/qemu-exit
PROBE=$BUILD/kernels/selftest
if [ ! -x "$QEMU_EXIT" ] || [ ! -x "$PROBE" ]; then
	bail "build/kernels helpers missing (make test-bins)"
fi

# --- shell scripts are lint-clean -------------------------------------------
out=$(shellcheck -x -S style kernels/*.sh tests/kernels/*.t 2>&1)
is "$?" 0 "shellcheck kernels/*.sh tests/kernels/*.t"
[ -z "$out" ] || diag "$(head -20 <<<"$out")"

# --- qemu-exit refuses bad arguments (never run with a valid one on the host:
# it would write to I/O port 0xf4) ----------------------------------------------
"$QEMU_EXIT" >/dev/null 2>&1
is "$?" 2 "qemu-exit without RC is a usage error"
"$QEMU_EXIT" 128 >/dev/null 2>&1
is "$?" 2 "qemu-exit 128 is out of range"
"$QEMU_EXIT" 1x >/dev/null 2>&1
is "$?" 2 "qemu-exit 1x is not a number"

# --- the probe agrees with the kernel's BTF ---------------------------------
facts=$("$PROBE" --facts)
like "$facts" '^exit_args=[12] btf=1$' "selftest --facts reads the exit tracepoint from BTF ($facts)"

# --- run-tests.sh's wrong-variant check, with a fake kernel fact ------------
# shellcheck disable=SC2016  # the $ are for the fake's own shell
printf '#!/bin/sh\n[ "$1" = --facts ] && echo "exit_args=${FAKE_ARGS:-1} btf=1"\nexit 0\n' >"$tmp/probe"
printf '#!/bin/sh\necho "ok 1 - fake"\n' >"$tmp/tb"
printf '#!/bin/sh\necho "pausetop: the kernel refused to load a BPF program" >&2\nexit 5\n' >"$tmp/pt-refused"
printf '#!/bin/sh\necho "pausetop: cannot load: Permission denied" >&2\nexit 3\n' >"$tmp/pt-priv"
printf '#!/bin/sh\necho "{}"\n' >"$tmp/pt-loads"
chmod +x "$tmp"/*
# check PAUSETOP [FAKE_ARGS] — the check's TAP line and run-tests.sh's status
check() {
	local o rc
	o=$(FAKE_ARGS=${2:-1} PW_PROBE=$tmp/probe PW_TEST_BIN=$tmp/tb PW_TESTS=all PW_PAUSE='' \
		PW_PAUSETOP=$1 sh kernels/run-tests.sh 2>&1)
	rc=$?
	echo "$rc $(grep -E '^PW\| (not )?ok - pausetop' <<<"$o" | sed 's/ - .*# SKIP.*/ skip/; s/ - .*//')"
}
is "$(check "$tmp/pt-refused")" "0 PW| ok" "exit 5 + 'refused' without group_dead passes"
is "$(check "$tmp/pt-priv")" "1 PW| not ok" "exit 3 without group_dead fails"
is "$(check "$tmp/pt-loads")" "1 PW| not ok" "a forced v616 that loads without group_dead fails"
is "$(check "$tmp/pt-loads" 2)" "0 PW| ok skip" "with group_dead the check is skipped"
is "$(check "")" "0 PW| ok skip" "no pausetop: the check is skipped, visibly"

# --- whole guests: fail, crash, pass ----------------------------------------
printf '#!/bin/sh\necho "ok 1 - fine"\necho "not ok 2 - deliberately broken"\nexit 1\n' >"$tmp/t-fail"
printf '#!/bin/sh\necho "ok 1 - before the crash"\nsleep 1\necho c >/proc/sysrq-trigger\nsleep 30\n' >"$tmp/t-crash"
printf '#!/bin/sh\necho "# variants: exit=fake"\necho "ok 1 - fine"\necho "1..1"\n' >"$tmp/t-pass"
chmod +x "$tmp"/t-*
# matrix TEST [KERNEL [VAR=VALUE...]] — run the matrix with the stand-in TEST
# on KERNEL (the 6.1 cloud guest), VAR=VALUE over the defaults, and print
# "RC ROW" (ROW = the table line); the whole output goes to $tmp/TEST.out
matrix() {
	local o rc
	o=$(env PW_TEST_BIN="$tmp/$1" PW_TESTS=all PW_PAUSE='' PW_PAUSETOP='' PW_QEMU_TIMEOUT=120 \
		PW_PROBE="$PROBE" PW_QEMU_EXIT="$QEMU_EXIT" BUILD="$tmp/build" "${@:3}" \
		kernels/matrix.sh "${2:-meta:linux-image-cloud-amd64}" 2>&1)
	rc=$?
	echo "$o" >"$tmp/$1.out"
	echo "$rc $(tail -2 "$tmp/$1.out" | head -1)"
}
r=$(matrix t-fail)
like "$r" '^1 # 6\.1\.[^ ]+ +(tcg|kvm) ' "failing tests: matrix exits 1"
like "$r" ' FAIL ' "failing tests: the row says FAIL"
grep -q '^not ok [0-9]* - \[6\.1\.[^]]*\] deliberately broken$' "$tmp/t-fail.out"
ok $? "failing tests: the guest's not ok line comes back with the kernel name"
grep -q 'guest finished: qemu exit 3 = isa-debug-exit rc 1, marker DONE rc=1' "$tmp/t-fail.out"
ok $? "failing tests: qemu status 3 and the marker agree on rc 1"

r=$(matrix t-crash)
like "$r" '^1 .* FAIL .*no DONE marker \(qemu exit 0\)' "kernel crash: FAIL, no DONE marker, qemu exit 0"
grep -q '^ok [0-9]* - \[6\.1\.[^]]*\] before the crash$' "$tmp/t-crash.out"
ok $? "kernel crash: lines printed before the crash are kept"
grep -q 'console: .*Kernel panic - not syncing: sysrq triggered crash' "$tmp/t-crash.out"
ok $? "kernel crash: the panic is shown from the console log"

r=$(matrix t-pass)
like "$r" '^0 .* PASS +exit=fake$' "passing tests: matrix exits 0, PASS, variants captured"
[[ "$r" == "0 "* ]] || diag "$(tail -20 "$tmp/t-pass.out")"

# --- a guest that stalls (soft lockup, RCU stall) --------------------------
# The kernel's own words for it, written by the stand-in through /dev/kmsg at
# emergency level (quiet shows it): the matrix stops the boot at once, boots
# again, and a second stalled boot fails saying why.  "stalled" comes only
# from the watch that stops a boot, never from the 120 s timeout.
printf '#!/bin/sh\necho "ok 1 - before the lockup"\necho "<0>watchdog: BUG: soft lockup - CPU#1 stuck for 71s! [ksoftirqd/1:21]" >/dev/kmsg\nsleep 300\n' >"$tmp/t-starved"
chmod +x "$tmp/t-starved"
r=$(matrix t-starved)
like "$r" '^1 .* FAIL .*guest stalled under TCG on both boots \(soft lockup - CPU#1 stuck for 71s!\)' \
	"stalled twice: FAIL, saying the guest stalled on both boots"
grep -q '^# \[6\.1\.[^]]*\] first boot stopped after .*the guest stalled under TCG' "$tmp/t-starved.out"
ok $? "stalled: the first boot's stop is reported as a TAP comment"

# Starved once, then fine: a qemu in front of the real one fakes the first
# boot's lockup (the guest cannot remember a boot), the second boot passes.
mkdir -p "$tmp/bin"
real_qemu=$(command -v qemu-system-x86_64)
cat >"$tmp/bin/qemu-system-x86_64" <<FAKE
#!/bin/sh
if [ ! -e "$tmp/bin/booted" ]; then
	: >"$tmp/bin/booted"
	echo "[  108.793282] watchdog: BUG: soft lockup - CPU#0 stuck for 64s! [ksoftirqd/0:14]"
	exec sleep 300
fi
exec $real_qemu "\$@"
FAKE
chmod +x "$tmp/bin/qemu-system-x86_64"
r=$(PATH=$tmp/bin:$PATH matrix t-pass)
like "$r" '^0 .* PASS +exit=fake  -- second boot \(first stalled\)$' "stalled once: the second boot passes, and the row says so"
grep -q 'guest finished: .*(second boot: the first stalled)' "$tmp/t-pass.out"
ok $? "stalled once: the guest-finished line says it was the second boot"

# --- a run whose output stops: its bound is silence, not length ------------
# A stand-in prints a line and then nothing.  Only the watch says "no
# output"/"silent" (the ceiling says "timed out").
printf '#!/bin/sh\necho "ok 1 - before the silence"\nsleep 599\n' >"$tmp/t-silent"
chmod +x "$tmp/t-silent"
# silent WHO KERNEL ROW-ERE VAR=VALUE... — the matrix with the stand-in on
# KERNEL: check the row and that the line before the silence is kept
silent() {
	local start=$SECONDS
	like "$(matrix t-silent "$2" "${@:4}")" "$3" "$1 silent: FAIL, saying so"
	grep -q '^ok [0-9]* - \[[^]]*\] before the silence$' "$tmp/t-silent.out"
	ok $? "$1 silent: what it printed before is kept"
	diag "$1 silent: stopped after $((SECONDS - start))s"
}
# The host row (no boot), with the fake probe: stopped after 5 s of silence
# with all it started, and run-tests.sh's temporary directory removed.
mkdir "$tmp/rt"
silent "host row" host '^1 # .*\(host\) .* FAIL .*-- no output for 5s: stopped as hung$' \
	PW_PROBE="$tmp/probe" PW_HOST_SILENCE=5 PW_HOST_TIMEOUT=300 TMPDIR="$tmp/rt"
pgrep -f "$tmp/t-silent|sleep 599" >/dev/null
is "$?" 1 "host row silent: the stand-in and its child are gone"
is "$(ls -A "$tmp/rt")" "" "host row silent: run-tests.sh removed its temporary directory"
# A guest: its console stays silent after the line (kernel messages would
# count as output; quiet keeps them off).  60 s leaves room for the boot,
# which prints nothing before the first line (about 9 s here, idle).
silent guest meta:linux-image-cloud-amd64 '^1 # 6\.1\.[^ ]+ .* FAIL .*-- console silent for 60s: guest stopped as hung$' \
	PW_QEMU_SILENCE=60 PW_QEMU_TIMEOUT=600
done_testing
