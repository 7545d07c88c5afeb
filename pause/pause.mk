# pause/pause.mk — the pause init, its counters-page reader and their tests.
#
#   build/pause               static musl init, -Os, stripped (the shipped one)
#   build/pausestat           operator CLI: pausestat PID [--json]
#   build/san/pause           glibc + ASan/UBSan (SAN_BINS)
#   build/san/pausestat       ditto
#   build/tests/pause_page_test, build/tests/pwtest   test-only (TEST_BINS)
#   build/san/tests/pause_page_test                    (SAN_BINS)

PAUSE_CC     ?= musl-gcc
# Size matters (the sandbox image is this binary): no unwind tables, every
# function and object in its own section so the linker drops what is unused.
PAUSE_CFLAGS := -Os -static -std=gnu11 -D_GNU_SOURCE $(WARN) \
	-DPW_VERSION='"$(VERSION)"' -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-ident \
	-fstack-protector-strong -fno-plt
PAUSE_LDFLAGS := -static -s -Wl,--gc-sections -Wl,--build-id=none \
	-Wl,-z,norelro -Wl,-z,noseparate-code -Wl,-z,noexecstack -Wl,--hash-style=gnu
PAUSE_SRCS   := pause/pause.c pause/seccomp.c
PAUSE_HDRS   := pause/pause_stats.h pause/pause_seccomp.h
PAGE_SRCS    := userspace/pause_page.c
PAGE_HDRS    := userspace/pause_page.h pause/pause_stats.h
PAGE_CFLAGS  := $(HOST_CFLAGS) -Ipause -Iuserspace
# pausestat prints what came from a container through the text neutraliser
PAUSESTAT_SRCS := userspace/pausestat.c userspace/textsafe.c $(PAGE_SRCS)
PAUSESTAT_HDRS := userspace/textsafe.h $(PAGE_HDRS)

all: $(BUILD)/pause $(BUILD)/pausestat
TEST_BINS += $(BUILD)/tests/pause_page_test $(BUILD)/tests/pwtest
SAN_BINS += $(BUILD)/san/pause $(BUILD)/san/pausestat $(BUILD)/san/tests/pause_page_test

$(BUILD)/pause: $(PAUSE_SRCS) $(PAUSE_HDRS) pause/pause.mk
	@mkdir -p $(@D)
	@command -v $(PAUSE_CC) >/dev/null || { echo "pause: $(PAUSE_CC) missing: run $(DEPS) build" >&2; exit 1; }
	$(PAUSE_CC) $(PAUSE_CFLAGS) -Ipause $(PAUSE_LDFLAGS) -o $@ $(PAUSE_SRCS)

$(BUILD)/san/pause: $(PAUSE_SRCS) $(PAUSE_HDRS) pause/pause.mk
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Ipause -o $@ $(PAUSE_SRCS)

$(BUILD)/pausestat: $(PAUSESTAT_SRCS) $(PAUSESTAT_HDRS) pause/pause.mk
	@mkdir -p $(@D)
	$(CC) $(PAGE_CFLAGS) -o $@ $(PAUSESTAT_SRCS)

$(BUILD)/san/pausestat: $(PAUSESTAT_SRCS) $(PAUSESTAT_HDRS) pause/pause.mk
	@mkdir -p $(@D)
	$(CC) $(PAGE_CFLAGS) $(SAN_FLAGS) -o $@ $(PAUSESTAT_SRCS)

$(BUILD)/tests/pause_page_test: tests/pause/pause_page_test.c $(PAGE_SRCS) $(PAGE_HDRS) tests/tap.h pause/pause.mk
	@mkdir -p $(@D)
	$(CC) $(PAGE_CFLAGS) -Itests -o $@ tests/pause/pause_page_test.c $(PAGE_SRCS)

$(BUILD)/san/tests/pause_page_test: tests/pause/pause_page_test.c $(PAGE_SRCS) $(PAGE_HDRS) tests/tap.h pause/pause.mk
	@mkdir -p $(@D)
	$(CC) $(PAGE_CFLAGS) $(SAN_FLAGS) -Itests -o $@ tests/pause/pause_page_test.c $(PAGE_SRCS)

# test helper: namespace launcher, orphaner, signal recorder, ... (tests/pause/pwtest.c)
$(BUILD)/tests/pwtest: tests/pause/pwtest.c $(PAGE_SRCS) $(PAGE_HDRS) pause/pause.mk
	@mkdir -p $(@D)
	$(CC) $(PAGE_CFLAGS) -o $@ tests/pause/pwtest.c $(PAGE_SRCS)
