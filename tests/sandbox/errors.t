#!/usr/bin/env bash
# tests/sandbox/errors.t — every bad input gets its message and exit code
# (0 ok, 1 runtime, 2 usage, 3 not root, 4 missing dependency, 5 name in use,
# 6 no such sandbox, 7 image not found); concurrent runs of one name: exactly
# one wins; a failed run and an rm after pause died leave nothing behind.
# timeout: 240
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
SUBNET_OCTET=103
# shellcheck source=tests/sandbox/sandbox-lib.sh
. "$(dirname "$0")/sandbox-lib.sh"

# expect CODE REGEX DESCRIPTION ARGS... — run podsandbox, check code and message
expect() {
	local code=$1 re=$2 what=$3
	shift 3
	psb "$@"
	is "$RC" "$code" "$what: exit $code"
	like "$OUT" "$re" "$what: message"
}

# --- usage (2) ------------------------------------------------------------------
expect 2 "^usage: podsandbox COMMAND" "no arguments" 
expect 2 "unknown command 'frob'" "unknown command" frob
expect 2 "missing NAME" "run without NAME" run
expect 2 "unknown option '--bogus'" "unknown option" run x --bogus
expect 2 "one NAME only" "two names" run a b
expect 2 "unexpected argument 'x'" "ls takes no argument" ls x
for bad in Upper a_b a.b -x- x- "$(printf 'a%.0s' {1..33})" "a b"; do
	psb run "$bad" --net
	is "$RC" 2 "invalid name '$bad': exit 2"
	like "$OUT" "invalid sandbox name|unknown option" "invalid name '$bad': message"
done
for c in run join show ls rm; do
	psb "$c" --help
	is "$RC" 0 "$c --help exits 0"
	like "$OUT" "^usage: podsandbox $c" "$c --help prints its usage"
	psb help "$c"
	like "$OUT" "^usage: podsandbox $c" "help $c prints the same"
done
expect 0 "^usage: podsandbox COMMAND" "--help" --help

# --- not root (3) -----------------------------------------------------------------
for c in "run x" "join x -- true" "rm x" "ls" "show x"; do
	# shellcheck disable=SC2086 # word splitting of $c is the point
	OUT=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PODSANDBOX" $c 2>&1) && RC=0 || RC=$?
	is "$RC" 3 "$c as uid 65534: exit 3"
	like "$OUT" "must run as root" "$c as uid 65534: message"
done

# --- missing dependencies (4) -------------------------------------------------------
PODSANDBOX_RUNC=/nonexistent/runc expect 4 "/nonexistent/runc not found.*scripts/deps.sh sandbox" "missing runc" run x
PODSANDBOX_SHIM=/nonexistent/shim expect 4 "podsandbox-shim not found at /nonexistent/shim" "missing shim" run x
mkdir -p "$T_TMP/cni-empty" "$T_TMP/cni-lo"
ln -s /usr/lib/cni/loopback "$T_TMP/cni-lo/loopback"
CNI_PATH=$T_TMP/cni-empty expect 4 "CNI plugin 'loopback' not found in CNI_PATH=$T_TMP/cni-empty" "missing loopback plugin" run x
CNI_PATH=$T_TMP/cni-lo expect 4 "CNI plugin 'bridge' not found in CNI_PATH=$T_TMP/cni-lo" "missing bridge plugin (--net)" run x --net
is "$(find "$PODSANDBOX_STATE" -mindepth 2 2>/dev/null)" "" "refused runs created nothing"

# --- images (7) ---------------------------------------------------------------------
expect 7 "image not found: $T_TMP/nothing is not an OCI layout" "missing image" run x --image "$T_TMP/nothing"
expect 7 "image not found: .* has no tag 'nosuchtag'" "missing tag" run x --image "${PODSANDBOX_PAUSE_IMAGE%:*}:nosuchtag"
expect 7 "image not found: $T_TMP/nothing is not an OCI layout" "PODSANDBOX_PAUSE_IMAGE missing" \
	run x --image "$T_TMP/nothing"

# --- a CNI failure: run exits 1 and takes back pause, netns and bridge (1) -----------
N=$PREFIX-n
PODSANDBOX_SUBNET=10.77.300.0/24 expect 1 "CNI ADD with plugin bridge failed: invalid CIDR address: 10.77.300.0/24" \
	"run --net with an invalid subnet" run "$N" --net
is "$(left_behind "$N")" "" "the failed CNI ADD left nothing behind"
! ip link show "$PODSANDBOX_BRIDGE" >/dev/null 2>&1
ok $? "the bridge the plugin made before failing is gone too"

# --- unknown sandbox (6) --------------------------------------------------------------
expect 6 "no sandbox named '$PREFIX-none'" "rm of an unknown name" rm "$PREFIX-none"
expect 6 "no sandbox named '$PREFIX-none'" "join to an unknown name" join "$PREFIX-none" -- true
expect 6 "no sandbox named '$PREFIX-none'" "show of an unknown name" show "$PREFIX-none"

# --- name in use (5) and concurrent runs -------------------------------------------------
A=$PREFIX-a
psb run "$A" --net
is "$RC" 0 "run $A"
PA=$(pause_pid "$A")
expect 5 "sandbox name '$A' is in use" "run of a name in use" run "$A"
is "$(pause_pid "$A"):$(cat "/proc/$PA/comm")" "$PA:pause" "the first $A is untouched"
expect 7 "image not found" "join with a missing image" join "$A" --image "$T_TMP/nothing" -- true
# ls lists a sandbox that has no workload yet (no workloads/ directory: find
# failed, and set -e stopped the list, exit 1, without a word)
psb ls
is "$RC" 0 "ls with a sandbox without workloads: exit 0"
echo "$OUT" | grep -Eq "^$A +$PA +[a-z]+ +[^ ]+ +0\$"
ok $? "ls lists $A with 0 workloads ($(echo "$OUT" | grep -E "^$A " || echo none))"
# a bad grace is refused before anything starts (it stopped rm half-way)
for g in 1x abc 86401; do
	PODSANDBOX_GRACE=$g expect 2 "PODSANDBOX_GRACE.*$g" "PODSANDBOX_GRACE=$g" rm "$A"
done
is "$(pause_pid "$A"):$(cat "/proc/$PA/comm")" "$PA:pause" "... and $A is untouched"

C=$PREFIX-c
for i in 1 2 3 4; do
	("$PODSANDBOX" run "$C" --net >"$T_TMP/c$i.out" 2>&1; echo $? >"$T_TMP/c$i.rc") &
done
wait
codes=$(cat "$T_TMP"/c[1-4].rc | sort | tr '\n' ' ')
is "$codes" "0 5 5 5 " "four concurrent runs of $C: exactly one succeeds, three get 5"
is "$(grep -l "is in use" "$T_TMP"/c[1-4].out | wc -l)" 3 "the three losers say the name is in use"
is "$(runc --root "$PODSANDBOX_STATE/runc" list -q | grep -cx "podsandbox-$C")" 1 "exactly one runc container for $C"
VC=$(host_veth "$C")
like "$VC" "^veth" "$C has a host veth ($VC)"
psb rm "$C"
is "$RC" 0 "rm $C"
is "$(left_behind "$C" "$VC")" "" "rm $C left nothing behind"

# --- a run that fails half-way leaves nothing behind (1) ------------------------------------
umoci init --layout "$T_TMP/broken" >/dev/null && umoci new --image "$T_TMP/broken:latest" >/dev/null &&
	umoci config --image "$T_TMP/broken:latest" --config.entrypoint /no/such/binary >/dev/null
ok $? "made an image whose entrypoint does not exist"
B=$PREFIX-b
expect 1 "runc could not start podsandbox-$B" "run with a broken image" run "$B" --net --image "$T_TMP/broken"
is "$(left_behind "$B")" "" "the failed run left nothing behind"
psb run "$B" --net
is "$RC" 0 "the name is free again after the failed run"

# --- pause dies under us: join refuses, rm cleans up and reports it (1) -------------------
PB=$(pause_pid "$B")
VB=$(host_veth "$B")
kill -KILL "$PB"
wait_until 30 test -f "$(sb_dir "$B")/podsandbox-$B.exit"
ok $? "the shim saw pause die"
expect 1 "sandbox '$B' is not running" "join to a sandbox whose pause died" join "$B" -- true
expect 1 "pause did not exit 0 \\(killed 9\\)" "rm after pause was SIGKILLed" rm "$B"
like "$OUT" "pause $PB: killed 9 \\(SIGKILL\\)" "rm reports how pause ended"
is "$(left_behind "$B" "$VB")" "" "rm of a dead sandbox left nothing behind"

VA=$(host_veth "$A")
psb rm "$A"
is "$RC" 0 "rm $A"
is "$(left_behind "$A" "$VA")" "" "rm $A (the last one) left nothing behind, no bridge port either"
! ip link show "$PODSANDBOX_BRIDGE" >/dev/null 2>&1
ok $? "the last sandbox took the bridge"
done_testing
