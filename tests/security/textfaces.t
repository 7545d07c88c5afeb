#!/usr/bin/env bash
# textfaces.t — issue 8, attack 3: a hostile PID 1 names itself (comm), its
# UTS namespace (hostname), its argv (cmdline) and its zombies' comms with
# terminal escapes: ESC[2J, ESC]0;title BEL, raw 8-bit CSI 0x9b, U+009B,
# CR, LF (a forged table row), DEL, invalid UTF-8, a bidi override, a tag
# character.  pausetop -b and pausestat must print none of them raw: each
# becomes '?' (userspace/textsafe.c), rows stay rows.  pausetop --json must
# stay valid JSON and carry the names exactly (escaped).
# timeout: 180
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/security/common.sh
source "$(dirname "$0")/common.sh"
need_root
need_unpriv_userns
[ -x "$PAUSETOP" ] || bail "$PAUSETOP missing"

# the exact unit cases first
bin=$BUILD/tests/textsafe_test
case "$PAUSE" in */san/*) bin=$BUILD/san/tests/textsafe_test ;; esac
"$bin" >"$T/unit.out" 2>&1
is "$?" 0 "textsafe unit cases: $(grep -c '^ok' "$T/unit.out") pass ($(grep '^not ok' "$T/unit.out" | head -3))"

hostile names names || bail "hostile PID 1 did not start"
wait_until 10 sh -c "[ \$(ps -o stat= --ppid $HP | grep -c Z) -ge 3 ]"
ok $? "hostile PID 1 has its 3 zombies"
diag "its hostname: $(nsenter -t "$HP" -u hostname | od -c | head -3 | tr -s ' ')"

# --- pausetop -b ---------------------------------------------------------
"$PAUSETOP" -b -n 1 --max-zombies 1048576 >"$T/top.txt" 2>"$T/top.err"
is "$?" 0 "pausetop -b runs"
is "$(raw_bytes "$T/top.txt")" "" "pausetop -b: no raw control byte, C1, format character or invalid UTF-8"
row=$(grep -aE "^[0-9]+ +[0-9]+ +$HP " "$T/top.txt" | head -1)
diag "row: $row"
like "$row" " $HP \?\[2J\?\?\?\?\?! +\?\[2J\?\]0;pwned\?\?FAKE  " \
	"pausetop -b: init comm and hostname neutralised, cut at 15/20 columns"
is "$(grep -ac "^FAKE" "$T/top.txt")" 0 "pausetop -b: the LF in the hostname forged no row"
is "$(grep -acE "^[0-9]+ +[0-9]+ +$HP " "$T/top.txt")" 1 "pausetop -b: one namespace row for the hostile init"
for i in 0 1 2; do
	grep -aq "?z$i???? .*?\[2J?????!" "$T/top.txt"
	ok $? "pausetop -b: zombie $i listed with comm '?z$i????', parent '?[2J?????!'"
done

# --- pausetop --json -----------------------------------------------------
"$PAUSETOP" --json -n 1 --max-zombies 1048576 >"$T/top.json" 2>"$T/top.err"
is "$?" 0 "pausetop --json runs"
jq -e . "$T/top.json" >/dev/null
ok $? "pausetop --json: valid JSON"
is "$(raw_bytes "$T/top.json" json)" "" "pausetop --json: no raw C0, DEL or invalid UTF-8"
/usr/bin/python3 - "$T/top.json" "$HP" >"$T/cmp" 2>&1 <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
ns = [n for n in snap['namespaces'] if n['init_pid'] == int(sys.argv[2])][0]
host = (b"\x1b[2J\x1b]0;pwned\x07\nFAKE 9 9\r\x9b31m\x7f\xff\xc2\x9b\xe2\x80\xae"
        b"\xf3\xa0\x81\x81\xd8\x9cend").decode('utf-8', 'replace')
comm = b"\x1b[2J\x9b\r\n\x7f\xc2\x9b!".decode('utf-8', 'replace')
print('hostname', ns['hostname'] == host, 'comm', ns['init_comm'] == comm)
PY
is "$(cat "$T/cmp")" "hostname True comm True" \
	"pausetop --json: hostname and comm carried exactly (escaped; invalid bytes as U+FFFD)"

# --- pausestat: its page is invalid, so it names the comm ------------------
"$PAUSESTAT" "$HP" >"$T/ps.out" 2>"$T/ps.err"
is "$?" 1 "pausestat: the hostile page is refused"
cat "$T/ps.out" "$T/ps.err" >"$T/ps.all"
is "$(raw_bytes "$T/ps.all")" "" "pausestat: no raw control byte in its output"
grep -aq "is $HP (?\[2J?????!) really our pause" "$T/ps.err"
ok $? "pausestat: names the comm, neutralised ($(tail -1 "$T/ps.err"))"
stop_hostile
done_testing
