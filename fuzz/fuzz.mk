# fuzz/fuzz.mk — libFuzzer targets for every parser of untrusted input.
#
# Adding a target: write fuzz/NAME.c (an LLVMFuzzerTestOneInput), give it a
# seed corpus in fuzz/corpus/NAME/, and add one line below:
#     $(eval $(call fuzz_target,NAME,SOURCES IT TESTS))
# Then `make fuzz` runs it for FUZZ_SECONDS (60) and tests/fuzz/fuzz.t runs
# it briefly over its seeds in `make test`.
#
#   make fuzz                  every target, FUZZ_SECONDS each
#   make fuzz FUZZ=textsafe    one target
#   build/fuzz/NAME            the fuzzer (libFuzzer options: -help=1)

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE $(WARN) -Iuserspace -Ipause \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_TARGETS :=

# fuzz_target NAME, SOURCES: build $(BUILD)/fuzz/NAME from fuzz/NAME.c + SOURCES
define fuzz_target
FUZZ_TARGETS += $(1)
$$(BUILD)/fuzz/$(1): fuzz/$(1).c $(2) fuzz/fuzz.h fuzz/fuzz.mk $$(wildcard userspace/*.h pause/*.h)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ fuzz/$(1).c $(2)
endef

$(eval $(call fuzz_target,page_check,userspace/pause_page.c))
$(eval $(call fuzz_target,cgroup_parse,userspace/attrib.c))
$(eval $(call fuzz_target,cgroup_file,))
$(eval $(call fuzz_target,cmdline_format,userspace/attrib.c))
$(eval $(call fuzz_target,textsafe,userspace/textsafe.c))
$(eval $(call fuzz_target,json_escape,userspace/json.c))
$(eval $(call fuzz_target,prom_label,userspace/promesc.c userspace/textsafe.c))
$(eval $(call fuzz_target,promsrc_parse,userspace/promsrc.c userspace/jsonparse.c userspace/httpc.c userspace/promesc.c userspace/snapshot.c userspace/pause_page.c userspace/textsafe.c -lm))
$(eval $(call fuzz_target,http_response,userspace/httpc.c))

FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
TEST_BINS += $(FUZZ_BINS)
FUZZ ?= $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-bins
fuzz-bins: $(FUZZ_BINS)

# New inputs go to $(BUILD)/fuzz/corpus-NAME (the checked-in seeds are only read).
fuzz: $(FUZZ:%=$(BUILD)/fuzz/%)
	@for t in $(FUZZ); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t; rm -f $(BUILD)/fuzz/crash-$$t-*; \
		echo "== fuzz $$t: $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/crash-$$t- \
			$(BUILD)/fuzz/corpus-$$t fuzz/corpus/$$t 2>&1 | \
			grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==ERROR|SUMMARY)|Test unit written' ; \
		if ls $(BUILD)/fuzz/crash-$$t-* >/dev/null 2>&1; then echo "fuzz $$t: CRASH, see $(BUILD)/fuzz/crash-$$t-*"; exit 1; fi; \
	done
