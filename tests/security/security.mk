# tests/security/security.mk — test helpers of tests/security (issue 8:
# untrusted input).  Included from the top-level Makefile before tests/tests.mk.
#
#   build/tests/hostile         a hostile PID 1 and a page reader driver (hostile.c)
#   build/tests/textsafe_test   userspace/textsafe.c against terminal attacks
#   build/san/tests/...         the same with ASan/UBSan

SEC_CFLAGS := $(HOST_CFLAGS) -Ipause -Iuserspace -Itests
HOSTILE_SRCS := tests/security/hostile.c userspace/pause_page.c
HOSTILE_HDRS := userspace/pause_page.h pause/pause_stats.h
TEXTSAFE_TEST_SRCS := tests/security/textsafe_test.c userspace/textsafe.c
TEXTSAFE_TEST_HDRS := userspace/textsafe.h tests/tap.h

$(BUILD)/tests/hostile: $(HOSTILE_SRCS) $(HOSTILE_HDRS) tests/security/security.mk
	@mkdir -p $(@D)
	$(CC) $(SEC_CFLAGS) -o $@ $(HOSTILE_SRCS)

$(BUILD)/san/tests/hostile: $(HOSTILE_SRCS) $(HOSTILE_HDRS) tests/security/security.mk
	@mkdir -p $(@D)
	$(CC) $(SEC_CFLAGS) $(SAN_FLAGS) -o $@ $(HOSTILE_SRCS)

$(BUILD)/tests/textsafe_test: $(TEXTSAFE_TEST_SRCS) $(TEXTSAFE_TEST_HDRS) tests/security/security.mk
	@mkdir -p $(@D)
	$(CC) $(SEC_CFLAGS) -o $@ $(TEXTSAFE_TEST_SRCS)

$(BUILD)/san/tests/textsafe_test: $(TEXTSAFE_TEST_SRCS) $(TEXTSAFE_TEST_HDRS) tests/security/security.mk
	@mkdir -p $(@D)
	$(CC) $(SEC_CFLAGS) $(SAN_FLAGS) -o $@ $(TEXTSAFE_TEST_SRCS)

TEST_BINS += $(BUILD)/tests/hostile $(BUILD)/tests/textsafe_test
SAN_BINS += $(BUILD)/san/tests/hostile $(BUILD)/san/tests/textsafe_test
