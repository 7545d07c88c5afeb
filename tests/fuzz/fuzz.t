#!/usr/bin/env bash
# fuzz.t — every libFuzzer target of fuzz/fuzz.mk, briefly: each seed of
# its checked-in corpus (fuzz/corpus/NAME), then PW_FUZZ_SECONDS (3) of
# fuzzing from there.  A crash, a leak, undefined behaviour or a broken
# property (an abort in the target) fails; the input is kept under
# build/fuzz/ for `build/fuzz/NAME FILE`.  `make fuzz` runs them longer.
# timeout: 300
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
secs=${PW_FUZZ_SECONDS:-3}
# shellcheck disable=SC2016  # a literal $(eval ...) in fuzz.mk
mapfile -t targets < <(sed -n 's/^\$(eval \$(call fuzz_target,\([a-z_0-9]*\),.*/\1/p' "$ROOT/fuzz/fuzz.mk")
[ ${#targets[@]} -gt 0 ] || bail "no fuzz targets in fuzz/fuzz.mk"
tmp=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$tmp"'
for t in "${targets[@]}"; do
	bin=$BUILD/fuzz/$t
	if [ ! -x "$bin" ]; then
		ok 1 "$t: $bin built (make test-bins)"
		continue
	fi
	seeds=$(find "$ROOT/fuzz/corpus/$t" -type f 2>/dev/null | wc -l)
	ok $((seeds > 0 ? 0 : 1)) "$t: has a seed corpus ($seeds inputs in fuzz/corpus/$t)"
	mkdir -p "$tmp/$t"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$BUILD/fuzz/crash-$t-" "$tmp/$t" "$ROOT/fuzz/corpus/$t" >"$tmp/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$t.log")
	ok "$rc" "$t: ${secs} s from its seeds, ${runs:-0} inputs, no crash, leak or broken property"
	[ "$rc" -eq 0 ] || grep -E '^fuzz:|ERROR|SUMMARY|Test unit written' "$tmp/$t.log" | head -5 | sed 's/^/# /'
done
done_testing
