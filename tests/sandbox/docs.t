#!/usr/bin/env bash
# tests/sandbox/docs.t — podsandbox's man page renders without warnings and
# documents every command and every exit code the script defines; each
# command's --help matches the man page's synopsis; docs/podsandbox.md
# walks through run, join and rm.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

MAN=$ROOT/sandbox/podsandbox.1
command -v groff >/dev/null || bail "groff not installed (scripts/deps.sh sandbox)"
warn=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
is "$warn" "" "groff -ww renders podsandbox.1 without warnings"
text=$(groff -man -Tutf8 -P-cbou "$MAN" 2>/dev/null)

# Exit codes: the script's E_* constants vs the man page's EXIT STATUS.
codes=$(grep -oE 'E_[A-Z]+=[0-9]+' "$PODSANDBOX" | cut -d= -f2 | sort -n | tr '\n' ' ')
is "$codes" "1 2 3 4 5 6 7 " "the script defines exit codes 1-7"
exit_section=$(sed -n '/^EXIT STATUS/,/^EXAMPLES/p' <<<"$text")
for c in 0 $codes; do
	grep -qE "^ {7}$c +[a-z]" <<<"$exit_section"
	ok $? "man page documents exit code $c"
done
for c in run join show ls rm; do
	syn=$("$PODSANDBOX" "$c" --help | head -n 1 | sed 's/^usage: //')
	grep -qF "$syn" <<<"$text"
	ok $? "man page synopsis has '$syn'"
done
for s in '## Build a pod by hand' '# podsandbox run demo --net --share-pid' '# podsandbox join demo' \
	'# podsandbox rm demo' 'pause 14949: exited 0'; do
	grep -qF -- "$s" "$ROOT/docs/podsandbox.md"
	ok $? "docs/podsandbox.md has '$s'"
done
done_testing
