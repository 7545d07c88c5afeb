# bench/bench.mk — `make bench`: side-by-side benchmarks, numbers recorded in
# docs/BENCHMARKS.md (each benchmark rewrites only its own section).
#
# Every benchmark is one target listed in BENCH_TARGETS; `make bench` runs
# them one after the other, never in parallel (even under -j: they measure
# time and must not share the CPUs).  Adding one is one line, anywhere:
#   BENCH_TARGETS += bench-bpf

BENCH_TARGETS := bench-pause $(BENCH_TARGETS)

.PHONY: bench-pause

bench:
	@$(DEPS) build bench
	@set -e; for t in $(BENCH_TARGETS); do $(MAKE) --no-print-directory $$t; done

# pause (pause mode) vs catatonit -P, tini, dumb-init: size, idle RSS, idle
# wakeups, 10,000-orphan burst drain time (bench/pause/bench.sh).
bench-pause:
	@$(DEPS) build bench
	@$(MAKE) --no-print-directory $(BUILD)/pause $(BUILD)/bench/initbench
	@BUILD=$(BUILD) bench/pause/bench.sh

$(BUILD)/bench/initbench: bench/pause/initbench.c bench/bench.mk
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<

# One snapshot at 1,000 namespaces x 20 processes, before and after
# (bench/collector/bench-snapshot.sh).
BENCH_TARGETS += bench-snapshot
.PHONY: bench-snapshot
bench-snapshot:
	@$(DEPS) build bench
	@$(MAKE) --no-print-directory $(BUILD)/pausetop $(BUILD)/bench/manyns
	@BUILD=$(BUILD) bench/collector/bench-snapshot.sh

$(BUILD)/bench/manyns: bench/collector/manyns.c bench/bench.mk
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<
