# bench/bpf/bpf.mk — included from bench/bench.mk: pausewatch BPF cost per lifecycle.
BENCH_TARGETS += bench-bpf
.PHONY: bench-bpf

bench-bpf:
	@$(DEPS) build test bench
	@$(MAKE) --no-print-directory $(BUILD)/pausetop $(BUILD)/bench/lifecycle
	@BUILD=$(BUILD) bench/bpf/bench-bpf.sh

$(BUILD)/bench/lifecycle: bench/bpf/lifecycle.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<
