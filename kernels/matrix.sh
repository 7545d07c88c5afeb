#!/usr/bin/env bash
# matrix.sh — run the BPF integration tests on several kernels and report
# one row per kernel.  Behind `make test-kernels` and tests/kernels/matrix.t.
#
#   kernels/matrix.sh [KERNEL...]
#
# KERNEL: host (the running kernel, test binary run directly), or a
# kernels/fetch-kernel.sh spec (meta:PKG, pattern:REGEX, PKG) booted under
# qemu with an initramfs holding busybox + the static binaries.  Default:
# $PW_KERNELS, else the 6.1 cloud kernel, the newest 6.12 cloud kernel from
# bookworm-security, and the host.
#
# Output is TAP: every guest TAP line comes back as "ok N - [RELEASE] what",
# plus one "guest finished" line per booted kernel; then the table as "#"
# lines.  The table's passed/failed/skipped count the kernel's own TAP lines;
# a failed "guest finished"/"host run" line counts as one more failure.
# Exit status 1 when any kernel fails.
#
# Environment (defaults in brackets):
#   PW_TEST_BIN   static TAP test binary [$TELEMETRY_IT or build/tests/telemetry_it]
#   PW_TESTS      test names, or "all" [the guest subset below]
#   PW_PAUSE      static pause [$PAUSE or build/pause]; empty = none
#   PW_PAUSETOP   static pausetop [build/static/pausetop: build/pausetop is
#                 dynamic (libmicrohttpd)]; empty = no wrong-variant check
#                 (reported as SKIP)
#   PW_KERNEL_CACHE  .deb cache [/var/cache/pausewatch/kernels]
#   PW_QEMU_SILENCE  stop a guest whose console stayed silent this long [600]
#   PW_HOST_SILENCE  the same for the host row's output [600]
#   PW_QEMU_TIMEOUT  ceiling per guest, however busy it is [2400];
#   PW_HOST_TIMEOUT  the host row's [2400]
#   PW_ACCEL      "kvm" or "tcg" [kvm only with /sys/module/kvm_intel|kvm_amd]
#   PW_TCG_THREAD TCG's threading: "single" or "multi" [single; see below]
#   PW_VERBOSE    1 = also echo the probe's comments and other routine lines
#   PW_PROBE, PW_QEMU_EXIT  helpers [build/kernels/selftest, build/kernels/qemu-exit]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ROOT=${ROOT:-$(cd "$here/.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
cd "$ROOT" || exit 1

abs() { case "$1" in /*) echo "$1" ;; '') echo "" ;; *) echo "$ROOT/$1" ;; esac; }
PW_TEST_BIN=$(abs "${PW_TEST_BIN:-${TELEMETRY_IT:-$BUILD/tests/telemetry_it}}")
PW_TESTS=${PW_TESTS-nonreaping_init orphans_init pause_reaps_match_page sigterm_ignored_by_init leader_exits_first reaps_every_burst dying_ns_final pid_reuse_before_free orphan_zombie_leader exec_autoreap decision_window}
PW_PAUSE=$(abs "${PW_PAUSE-${PAUSE:-$BUILD/pause}}")
PW_PAUSETOP=$(abs "${PW_PAUSETOP-$BUILD/static/pausetop}")
PW_PROBE=$(abs "${PW_PROBE:-$BUILD/kernels/selftest}")
PW_QEMU_EXIT=$(abs "${PW_QEMU_EXIT:-$BUILD/kernels/qemu-exit}")
export PW_TEST_BIN PW_TESTS PW_PAUSE PW_PAUSETOP PW_PROBE PW_QEMU_EXIT
QEMU_TIMEOUT=${PW_QEMU_TIMEOUT:-2400}
HOST_TIMEOUT=${PW_HOST_TIMEOUT:-2400}
QEMU_SILENCE=${PW_QEMU_SILENCE:-600}
HOST_SILENCE=${PW_HOST_SILENCE:-600}
LOGS=$BUILD/kernels/logs
mkdir -p "$LOGS"

if [ $# -gt 0 ]; then
	kernels=("$@")
elif [ -n "${PW_KERNELS:-}" ]; then
	read -ra kernels <<<"$PW_KERNELS"
else
	kernels=(meta:linux-image-cloud-amd64
		 'pattern:^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$'
		 host)
fi

# /dev/kvm alone proves nothing: here it is kvm_pvm, which cannot run a real
# kernel (docs/kernels.md).  Only hardware KVM gets -accel kvm.
if [ -n "${PW_ACCEL:-}" ]; then
	accel=$PW_ACCEL
elif { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; } && [ -w /dev/kvm ]; then
	accel=kvm
else
	accel=tcg
fi
case "$accel" in
kvm) accel_args=(-accel kvm -cpu host) ;;
# TCG runs both vCPUs on one emulation thread (thread=single), not one each:
# with multi-threaded TCG, qemu 7.2 can go on executing a stale translation
# of the int3 that Linux writes into kernel text while it flips a static key
# (a tracepoint attached or detached), after the text holds the new
# instruction again.  kprobe_int3_handler() sees no int3 in memory, backs up
# and returns, and the vCPU takes the same int3 forever: ksoftirqd stuck in
# delayed_put_task_struct() at trace_sched_process_free, RCU stalls, soft
# lockups.  No BPF is needed for it (docs/kernels.md, "A guest that stalls
# under TCG").  PW_TCG_THREAD=multi brings the faster, affected mode back.
tcg)
	case "${PW_TCG_THREAD:-single}" in
	single|multi) accel_args=(-accel "tcg,thread=${PW_TCG_THREAD:-single}" -cpu max) ;;
	*) echo "matrix: PW_TCG_THREAD must be single or multi, not '$PW_TCG_THREAD'" >&2; exit 2 ;;
	esac ;;
*) echo "matrix: PW_ACCEL must be kvm or tcg, not '$accel'" >&2; exit 2 ;;
esac

tap_n=0
rows=()
any_fail=0
tap() { tap_n=$((tap_n + 1)); echo "$1 $tap_n - $2"; }

# collect LABEL FILE — read a row's output (console log or host output),
# re-emit its TAP prefixed with LABEL, set t_pass t_fail t_skip t_variants
# t_done (the rc in the DONE marker, "" without one) and t_release.
collect() {
	local label=$1 file=$2 line body desc
	t_pass=0 t_fail=0 t_skip=0 t_variants='' t_done='' t_release=''
	while IFS= read -r line; do
		line=${line%$'\r'}
		# Firmware and the kernel may leave escape sequences in front of
		# a line, so markers are found anywhere in it.
		case "$line" in
		*"=== PW-KMATRIX BEGIN release="*) t_release=${line##*release=}; continue ;;
		*"=== PW-KMATRIX DONE rc="*)
			t_done=${line##*rc=}
			# A kernel message glued to the marker makes it unreadable:
			# treat it as missing rather than guess.
			[[ "$t_done" =~ ^[0-9]+$ ]] || t_done=''
			continue ;;
		*"PW| "*) body=${line#*PW| } ;;
		*) continue ;;
		esac
		if [[ "$body" =~ ^(not\ )?ok([[:space:]]+[0-9]+)?([[:space:]]+-)?[[:space:]]*(.*)$ ]]; then
			desc=${BASH_REMATCH[4]}
			if [ -n "${BASH_REMATCH[1]}" ]; then
				tap "not ok" "[$label] $desc"
				t_fail=$((t_fail + 1))
			else
				tap ok "[$label] $desc"
				case "$desc" in *"# SKIP"*) t_skip=$((t_skip + 1)) ;; *) t_pass=$((t_pass + 1)) ;; esac
			fi
		elif [[ "$body" == "# variants:"* ]]; then
			echo "# [$label] $body"
			case "; $t_variants;" in
			*"; ${body#\# variants: };"*) ;;
			*) t_variants=${t_variants:+$t_variants; }${body#\# variants: } ;;
			esac
		elif [[ "$body" =~ ^1\.\.[0-9]+ ]]; then
			: # the guest's plan; ours is printed at the end
		elif [ -z "${PW_VERBOSE:-}" ] && [[ "$body" =~ ^#\ (probe:|facts:|[^ ]+\ exited\ 0$) ]]; then
			: # routine chatter: in the log, and shown with PW_VERBOSE=1
		else
			echo "# [$label] $body"
		fi
	done <"$file"
}

# row LABEL ACCEL SECS STATUS [REASON]
row() {
	rows+=("$(printf '%-28s %-6s %7s %6s %6s %7s  %-6s %s' "$1" "$2" "$3" "$t_pass" "$t_fail" "$t_skip" "$4" \
		"${t_variants:-(none reported)}${5:+  -- $5}")")
	[ "$4" = PASS ] || any_fail=1
}

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# A run's bound is its silence, not its length: under TCG on a loaded host a
# guest that needs 3 minutes took 15 while it printed a result every few
# seconds (8 busy loops beside it), and a fixed 600 s stopped it midway.
# watch_run PID FILE LIMIT [STALL] — wait for PID (timeout(1) around a run
# that writes FILE).  Stops it once FILE has not grown for LIMIT seconds
# (silent=1) or, given STALL (an ERE), once FILE shows it (starved=the line;
# 20 s more of output first, for the stack dumps that follow, which are slow
# over an emulated serial line).  wrc: PID's exit status.
watch_run() {
	local pid=$1 file=$2 limit=$3 stall=${4:-} line size last_size=-1 last_growth=$SECONDS
	silent='' starved=''
	while kill -0 "$pid" 2>/dev/null; do
		line=''
		[ -z "$stall" ] || line=$(grep -aoE -m 1 "$stall" "$file")
		if [ -n "$line" ]; then
			starved=$line
			sleep 20
			kill -TERM "$pid" 2>/dev/null
			break
		fi
		size=$(stat -c %s "$file" 2>/dev/null || echo 0)
		if [ "$size" != "$last_size" ]; then
			last_size=$size
			last_growth=$SECONDS
		elif [ $((SECONDS - last_growth)) -ge "$limit" ]; then
			silent=1
			kill -TERM "$pid" 2>/dev/null
			break
		fi
		sleep 2
	done
	wait "$pid"
	wrc=$?
}

run_host() {
	local release out start secs rc status reason='' silent='' starved='' wrc
	release=$(uname -r)
	out=$LOGS/host-$release.log
	echo "# [$release] host: $PW_TEST_BIN ${PW_TESTS}"
	start=$(date +%s.%N)
	timeout -k 5 "$HOST_TIMEOUT" sh "$here/run-tests.sh" >"$out" 2>&1 </dev/null &
	watch_run $! "$out" "$HOST_SILENCE"
	rc=$wrc
	secs=$(elapsed "$start")
	collect "$release" "$out"
	status=PASS
	if [ -n "$silent" ]; then
		reason="no output for ${HOST_SILENCE}s: stopped as hung"
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		reason="timed out after ${HOST_TIMEOUT}s"
	elif [ "$t_done" != 0 ] || [ "$rc" -ne 0 ]; then
		reason="run-tests.sh exited $rc, marker rc=${t_done:-missing}"
	elif [ $((t_pass + t_fail)) -eq 0 ]; then
		reason="no test ran"
	fi
	if [ -n "$reason" ]; then
		tap "not ok" "[$release] host run: $reason (log: ${out#"$ROOT"/})"
		t_fail=$((t_fail + 1))
	fi
	[ -z "$reason" ] && [ "$t_fail" -eq 0 ] || status=FAIL
	row "$release (host)" native "$secs" "$status" "$reason"
}

# boot_guest IMAGE LOG — one boot of the guest, console into LOG.  Sets qrc
# (qemu's exit status) and starved: "" or the console line showing that the
# guest stalled: a soft lockup of a minute or more, or RCU's grace-period
# kthread starved.  With multi-threaded TCG the 6.1 guest did that now and
# then and never recovered (CI: ksoftirqd "stuck" on both CPUs for 480 s
# until the timeout): a qemu bug, see accel_args above and docs/kernels.md.
# Single-threaded TCG has not shown it; the watch stays, in case something
# else stalls a guest.  Such a boot is stopped early instead of waiting out
# QEMU_TIMEOUT.  A console silent for QEMU_SILENCE seconds is stopped too
# (silent: set), whatever the cause.
boot_guest() {
	local image=$1 log=$2 wrc
	: >"$log"
	timeout -k 5 "$QEMU_TIMEOUT" qemu-system-x86_64 "${accel_args[@]}" -m 1G -smp 2 \
		-nographic -no-reboot -nic none -vga none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$image" -initrd "$INITRD" \
		-append "console=ttyS0 panic=-1 quiet" </dev/null >"$log" 2>&1 &
	watch_run $! "$log" "$QEMU_SILENCE" \
		'soft lockup - CPU#[0-9]+ stuck for ([6-9][0-9]|[0-9]{3,})s!|rcu_(preempt|sched) kthread starved for [0-9]+ jiffies'
	qrc=$wrc
}

run_guest() {
	local spec=$1 fetched release image pkg version log start secs qrc status reason='' want starved='' silent='' retried=
	# fetch-kernel.sh's messages become TAP comments, so tests/run shows them.
	if ! fetched=$("$here/fetch-kernel.sh" "$spec" 2>"$LOGS/fetch.err"); then
		sed 's/^/# /' "$LOGS/fetch.err"
		t_pass=0 t_fail=1 t_skip=0 t_variants=''
		tap "not ok" "[$spec] kernel package could not be fetched (see the lines above)"
		row "$spec" "$accel" - FAIL "fetch failed"
		return
	fi
	sed 's/^/# /' "$LOGS/fetch.err"
	read -r release image pkg version <<<"$fetched"
	log=$LOGS/$release.log
	echo "# [$release] $pkg $version, accel $accel, console log ${log#"$ROOT"/}"
	start=$(date +%s.%N)
	boot_guest "$image" "$log"
	if [ -n "$starved" ] && [ "$accel" = tcg ]; then
		# Boot once more, and say so; stalled twice fails (below).
		mv -f "$log" "$log.starved"
		echo "# [$release] first boot stopped after $(elapsed "$start")s: the guest stalled under TCG ($starved); console kept in ${log#"$ROOT"/}.starved; booting again"
		sed -n '/Call Trace:/,/<\/TASK>/p' "$log.starved" | head -n 24 | tr -d '\r' | sed "s/^/# [$release] first boot: /"
		retried=1
		boot_guest "$image" "$log"
	fi
	secs=$(elapsed "$start")
	collect "$release" "$log"
	# Pass needs both channels to agree: qemu's status from isa-debug-exit
	# ((rc << 1) | 1) and the DONE marker on the console.  Exit 0 means the
	# guest powered off or panicked without reaching qemu-exit.
	want=$(( ${t_done:-0} * 2 + 1 ))
	if [ -n "$starved" ]; then
		reason="guest stalled under TCG${retried:+ on both boots} ($starved): see the console log and docs/kernels.md"
	elif [ -n "$silent" ]; then
		reason="console silent for ${QEMU_SILENCE}s: guest stopped as hung"
	elif [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		reason="qemu timed out after ${QEMU_TIMEOUT}s"
	elif [ -z "$t_release" ]; then
		reason="guest never started the tests (qemu exit $qrc; kernel panic or bad initramfs?)"
	elif [ "$t_release" != "$release" ]; then
		reason="guest runs '$t_release', expected '$release'"
	elif [ -z "$t_done" ]; then
		reason="no DONE marker (qemu exit $qrc): guest died during the tests"
	elif [ "$qrc" -ne "$want" ]; then
		reason="qemu exit $qrc does not match marker rc=$t_done (want $want)"
	elif [ $((t_pass + t_fail)) -eq 0 ]; then
		reason="no test ran"
	fi
	if [ -n "$reason" ]; then
		tap "not ok" "[$release] guest finished: $reason"
		t_fail=$((t_fail + 1))
		# The kernel's last words are the clue: the first panic/oops/warning
		# headlines, then the end of the console.
		{ grep -aE -m 5 'Kernel panic|BUG:|Oops|WARNING:|general protection|blocked for more than' "$log"
		  sed -n '/Call Trace:/,/<\/TASK>/p' "$log" | head -n 24
		  echo "..."; grep -av 'PW| ' "$log" | tail -n 10; } | tr -d '\r' | sed "s/^/# [$release] console: /"
	else
		tap ok "[$release] guest finished: qemu exit $qrc = isa-debug-exit rc $t_done, marker DONE rc=$t_done${retried:+ (second boot: the first stalled)}"
	fi
	status=PASS
	[ -z "$reason" ] && [ "$t_fail" -eq 0 ] && [ "$t_done" = 0 ] || status=FAIL
	row "$release" "$accel" "$secs" "$status" "${reason:-${retried:+second boot (first stalled)}}"
}

need_guest=0
for k in "${kernels[@]}"; do [ "$k" = host ] || need_guest=1; done
if [ "$need_guest" = 1 ]; then
	INITRD=$BUILD/kernels/initrd.cpio.gz
	if ! "$here/mkinitrd.sh" "$INITRD" 2>"$LOGS/mkinitrd.err"; then
		sed 's/^/# /' "$LOGS/mkinitrd.err"
		tap "not ok" "initramfs could not be built (see the lines above)"
		echo "1..$tap_n"
		exit 1
	fi
	command -v qemu-system-x86_64 >/dev/null ||
		{ tap "not ok" "qemu-system-x86_64 missing (scripts/deps.sh kernels)"; echo "1..$tap_n"; exit 1; }
fi
echo "# test binary: $PW_TEST_BIN; tests: ${PW_TESTS:-all}"
for k in "${kernels[@]}"; do
	if [ "$k" = host ]; then run_host; else run_guest "$k"; fi
done

echo "#"
echo "# $(printf '%-28s %-6s %7s %6s %6s %7s  %-6s %s' kernel accel seconds passed failed skipped result variants)"
for r in "${rows[@]}"; do echo "# $r"; done
echo "1..$tap_n"
exit $any_fail
