# bench/export/export.mk — included from the Makefile: /metrics of pausetop
# --listen against node_exporter --collector.processes (docs/BENCHMARKS.md).
BENCH_TARGETS += bench-export
.PHONY: bench-export

bench-export:
	@$(DEPS) build test bench
	@$(MAKE) --no-print-directory $(BUILD)/pausetop $(BUILD)/bench/nsfarm
	@BUILD=$(BUILD) bench/export/bench-export.sh

$(BUILD)/bench/nsfarm: bench/export/nsfarm.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<
