#!/usr/bin/env bash
# tests/tui/sigterm.t — TERM? in the live view: a namespace whose init has no
# SIGTERM handler (sleep) shows NO, one whose init catches SIGTERM
# (tests/tui/nsfix.c -t) shows yes.  Then a SIGTERM to each from the host: the trapping init exits, the
# other one's is dropped by the kernel — its row counts it (IGN 1) and its
# drill-down shows the disposition, the warning and the signal as ignored.
# timeout: 300
# shellcheck disable=SC2317 # functions called through wait_until and trap
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tui-lib.sh
. "$(dirname "$0")/tui-lib.sh"
tui_require

tag=pwterm$$
ns_start none "$tag-none" 0 || bail "namespace without a handler did not start"
ns_start trap "$tag-trap" 0 -t || bail "namespace with a SIGTERM trap did not start"
! sig_caught "$(ns_init none)" 15
ok $? "setup: sleep as init has no SIGTERM handler (SigCgt)"
sig_caught "$(ns_init trap)" 15
ok $? "setup: the -t init catches SIGTERM (SigCgt)"

tui_start -- || bail "pausetop did not draw its table"
tui_keys /
tui_keys -l "$tag"
tui_keys Enter
tui_wait "filter '$tag': 2 of" 20
# fields at 120 columns: ... $11 IGN, $12 TERM?
# a row by its pidns (hostnames may be cut to the column's width)
field() { tui_row "^$(ns_inum "$1") " | awk -v f="$2" '{print $f}'; }
field_is() { [ "$(field "$1" "$2")" = "$3" ]; }
wait_until 20 field_is none 12 NO
is "$(field none 12)" NO "TERM? of the init without a handler: NO"
wait_until 20 field_is trap 12 yes
is "$(field trap 12)" yes "TERM? of the init with a handler: yes"
is "$(field none 11)" 0 "IGN 0 before any signal"

kill -TERM "$(ns_init none)" "$(ns_init trap)"
wait_until 20 sh -c "! kill -0 $(ns_init trap) 2>/dev/null"
ok $? "the init with a handler exited on SIGTERM"
sleep 0.5
kill -0 "$(ns_init none)" 2>/dev/null
ok $? "the init without a handler is still running: the kernel dropped SIGTERM"
wait_until 20 field_is none 11 1
is "$(field none 11)" 1 "its row counts the dropped SIGTERM (IGN 1)"

tui_keys Escape
tui_keys /
tui_keys -l "$tag-none"
tui_keys Enter
tui_wait "filter '$tag-none': 1 of" 10
tui_keys Enter
tui_wait "^init: pid $(ns_init none)" 20
screen=$(tui_screen)
like "$screen" "init dispositions: SIGTERM default, SIGINT default, SIGHUP default, SIGQUIT default, SIGUSR1 default, SIGUSR2 default" \
	"drill-down: every disposition at its default (sleep installs no handler)"
like "$screen" "the init neither handles nor blocks SIGTERM: the kernel drops it, a stop waits out its grace period" \
	"drill-down: the warning"
grep -Eq '^SIGTERM +0 +1 +0 +0 +0 +1$' <<<"$screen"
ok $? "drill-down: SIGTERM generated once, result ignored, ignored by the init once"
tui_keys q
tui_wait_exit 20
is "$TUI_RC" 0 "q exits 0"
done_testing
