#!/usr/bin/env bash
# tests/lint/lint.sh — clang-tidy (checks in .clang-tidy) over pausewatch's C
# tree, findings compared with tests/lint/baseline.txt.
#
#   tests/lint/lint.sh                    lint everything; exit 1 on a finding
#                                         the baseline does not cover
#   tests/lint/lint.sh FILE...            only these files
#   tests/lint/lint.sh --update-baseline  write the current findings as the baseline
#
# The baseline lists, per file and check, how many findings are known: code
# this part may not change (other parts' files) waiting for its owner.  A new
# finding anywhere fails; a file that got better is reported so its line can
# be lowered.  Excluded: bpf/*.bpf.c (BPF C for clang -target bpf: vmlinux.h,
# SEC() and CO-RE macros that a host-target parse gets wrong; the verifier is
# its checker), and findings located in the generated $BUILD/bpf/*.skel.h
# (see below; counted and reported, never silent).
# Env: BUILD (build), LINT_JOBS (2), CLANG_TIDY (clang-tidy).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/on-exit.sh
. "$ROOT/scripts/on-exit.sh"
cd "$ROOT" || exit 2
: "${BUILD:=build}" "${LINT_JOBS:=2}" "${CLANG_TIDY:=clang-tidy}"
BASELINE=tests/lint/baseline.txt
update=0
[ "${1:-}" = --update-baseline ] && { update=1; shift; }

command -v "$CLANG_TIDY" >/dev/null || { echo "lint: $CLANG_TIDY missing: run scripts/deps.sh test" >&2; exit 2; }
[ -f "$BUILD/bpf/pausewatch.skel.h" ] || { echo "lint: $BUILD/bpf/pausewatch.skel.h missing: make all first" >&2; exit 2; }
if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <( (git ls-files '*.c' 2>/dev/null || find . -name '*.c' -not -path "./$BUILD/*" | sed 's|^\./||') |
		grep -v '\.bpf\.c$' | sort -u)
fi
out=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$out"'
export CLANG_TIDY BUILD out
# one clang-tidy per file, in parallel; per-file defines as their makefiles use
# shellcheck disable=SC2016  # expanded by the inner sh
printf '%s\n' "${files[@]}" | xargs -P "$LINT_JOBS" -I{} sh -c '
	f={}; extra=
	case "$f" in tests/unit/attrib_test.c) extra=-DPW_ATTRIB_TEST_HOOKS ;; esac
	"$CLANG_TIDY" --quiet "$f" -- -std=gnu11 -D_GNU_SOURCE -DPW_VERSION="\"lint\"" $extra \
		-Iuserspace -Ipause -Ibpf -I"$BUILD/bpf" -Itests -Ifuzz \
		>"$out/$(echo "$f" | tr / _).log" 2>&1 || true'
# "file check" per finding (paths relative to the tree)
cat "$out"/*.log | sed -n "s#^$ROOT/##; s#^\([^:]*\):[0-9]*:[0-9]*: \(warning\|error\): .*\[\([A-Za-z0-9.-]*\)[],].*#\1 \3#p" |
	sort >"$out/all"
# The BPF skeleton is not ours to fix: $BUILD/bpf/*.skel.h is written by
# `bpftool gen skeleton` on every build.  Its one finding
# (clang-analyzer-unix.Malloc, "leak of 's'" in create_skeleton's error
# path) is a false positive: the path ends in bpf_object__destroy_skeleton(s),
# which frees s, its maps and progs (checked under valgrind), but the
# analyzer assumes a function declared in a system header (<bpf/libbpf.h>)
# frees nothing.  Our code that uses the skeleton is still linted (the .c
# files that include it); only findings located in the generated text are
# left out, and how many is said below.
# in_skel 1: the lines of findings in the skeleton, in_skel 0: all others
# (BUILD as the paths above are: relative to the tree when inside it)
in_skel() { awk -v b="${BUILD#"$ROOT"/}/bpf/" -v want="$1" '(index($1, b) == 1 && $1 ~ /\.skel\.h$/) == want'; }
in_skel 1 <"$out/all" >"$out/generated"
in_skel 0 <"$out/all" | uniq -c | awk '{ print $2, $3, $1 }' >"$out/found"
[ -s "$out/generated" ] &&
	echo "lint: left out $(wc -l <"$out/generated") finding(s) in the generated skeleton:" \
		"$(uniq -c "$out/generated" | awk '{ printf "%s%s %s x %d", sep, $2, $3, $1; sep = "; " }')"
if [ "$update" = 1 ]; then
	{ echo "# tests/lint/baseline.txt — known clang-tidy findings: FILE CHECK COUNT (tests/lint/lint.sh)"
	  cat "$out/found"; } >"$BASELINE"
	echo "lint: baseline written: $(wc -l <"$out/found") file/check pairs"
	exit 0
fi
new=0
while read -r file check count; do
	known=$(awk -v f="$file" -v c="$check" '$1 == f && $2 == c { print $3 }' "$BASELINE" 2>/dev/null)
	if [ "$count" -gt "${known:-0}" ]; then
		new=1
		echo "lint: $file: $count x $check (baseline ${known:-0}):"
		grep -h -A3 "^$ROOT/$file:[0-9]*:[0-9]*: .*\[${check}[],]" "$out"/*.log | sed 's/^/    /' | head -20
	fi
done <"$out/found"
grep -v '^#' "$BASELINE" 2>/dev/null | while read -r file check count; do
	[ $# -gt 0 ] && ! printf '%s\n' "${files[@]}" | grep -qxF "$file" && continue
	now=$(awk -v f="$file" -v c="$check" '$1 == f && $2 == c { print $3 }' "$out/found")
	[ "${now:-0}" -lt "$count" ] &&
		echo "lint: $file: $check down from $count to ${now:-0}: lower tests/lint/baseline.txt"
done
echo "lint: ${#files[@]} files, $(awk '{ n += $3 } END { print n + 0 }' "$out/found") findings, $(awk '!/^#/ { n++ } END { print n + 0 }' "$BASELINE" 2>/dev/null || echo 0) baseline entries, $([ $new = 0 ] && echo clean || echo 'NEW FINDINGS')"
exit $new
