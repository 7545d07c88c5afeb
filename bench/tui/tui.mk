# bench/tui/tui.mk — included from the Makefile: the live view's idle cost
# at the default 1 s refresh with 1,000 PID namespaces (bench/tui/bench.sh).
BENCH_TARGETS += bench-tui
.PHONY: bench-tui

bench-tui:
	@$(DEPS) build test bench
	@$(MAKE) --no-print-directory $(BUILD)/pausetop $(BUILD)/bench/tui-manyns
	@BUILD=$(BUILD) bench/tui/bench.sh

$(BUILD)/bench/tui-manyns: bench/tui/manyns.c bench/tui/tui.mk
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<
