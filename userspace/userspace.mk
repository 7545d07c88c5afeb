# userspace/userspace.mk — the collector (the only libbpf user) and its faces.

USP_CFLAGS := $(HOST_CFLAGS) -Iuserspace -Ipause -Ibpf -I$(BUILD)/bpf
BPF_LIBS_STATIC := -static -lbpf -lelf -lz -lm -pthread
BPF_LIBS_DYN := -lbpf -lelf -lz -lm -pthread

COLLECTOR_SRCS := userspace/collector.c userspace/attrib.c userspace/pause_page.c userspace/json.c \
		  userspace/snapshot.c userspace/gone.c userspace/nscache.c
COLLECTOR_HDRS := userspace/collector.h userspace/snapshot.h userspace/gone.h userspace/nscache.h userspace/attrib.h userspace/pause_page.h userspace/json.h \
		  pause/pause_stats.h bpf/pausewatch.h $(BPF_SKEL)
PAUSETOP_SRCS := userspace/pausetop.c userspace/options.c userspace/json_face.c userspace/text_face.c \
		 userspace/textsafe.c userspace/tui.c
PAUSETOP_HDRS := userspace/faces.h userspace/options.h userspace/textsafe.h

all: $(BUILD)/pausetop

# Static, so the same binary runs in the kernel-matrix guests.
$(BUILD)/pausetop: $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS) $(PAUSETOP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) -o $@ $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(BPF_LIBS_STATIC)

$(BUILD)/san/pausetop: $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS) $(PAUSETOP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) $(SAN_FLAGS) -o $@ $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(BPF_LIBS_DYN)

# Telemetry integration tests: real namespaces, real kernel, the collector API.
TELEMETRY_IT_SRCS := tests/telemetry/telemetry_it.c tests/telemetry/workloads.c
TELEMETRY_IT_HDRS := tests/telemetry/workloads.h tests/tap.h

$(BUILD)/tests/telemetry_it: $(TELEMETRY_IT_SRCS) $(TELEMETRY_IT_HDRS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) -Itests -pthread -o $@ $(TELEMETRY_IT_SRCS) $(COLLECTOR_SRCS) $(BPF_LIBS_STATIC)

$(BUILD)/san/tests/telemetry_it: $(TELEMETRY_IT_SRCS) $(TELEMETRY_IT_HDRS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) $(SAN_FLAGS) -Itests -pthread -o $@ $(TELEMETRY_IT_SRCS) $(COLLECTOR_SRCS) $(BPF_LIBS_DYN)

# A plain dynamic build for valgrind (static glibc confuses memcheck).
$(BUILD)/dyn/pausetop: $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS) $(PAUSETOP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) -O1 -o $@ $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(BPF_LIBS_DYN)

TEST_BINS += $(BUILD)/tests/telemetry_it $(BUILD)/dyn/pausetop
SAN_BINS += $(BUILD)/san/pausetop $(BUILD)/san/tests/telemetry_it


# --- attrib/json (unit tests) ---
# Owned by the attrib/json engineer; the lead owns everything above.
# Test binaries are built straight from the sources (no .o rules here, so
# nothing clashes with the lead's userspace/attrib.o and userspace/json.o).
# attrib_test gets -DPW_ATTRIB_TEST_HOOKS (setns fault injection); the
# objects linked into pausetop must NOT be built with it.
PW_UNIT_HDRS := userspace/attrib.h userspace/json.h tests/tap.h
PW_UNIT_attrib_test := tests/unit/attrib_test.c userspace/attrib.c
PW_UNIT_json_test := tests/unit/json_test.c userspace/json.c
PW_UNIT_FLAGS := -pthread -DPW_ATTRIB_TEST_HOOKS

$(BUILD)/tests/attrib_test: $(PW_UNIT_attrib_test) $(PW_UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(PW_UNIT_FLAGS) -o $@ $(PW_UNIT_attrib_test)

$(BUILD)/tests/json_test: $(PW_UNIT_json_test) $(PW_UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $(PW_UNIT_json_test)

$(BUILD)/san/tests/attrib_test: $(PW_UNIT_attrib_test) $(PW_UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(PW_UNIT_FLAGS) -o $@ $(PW_UNIT_attrib_test)

$(BUILD)/san/tests/json_test: $(PW_UNIT_json_test) $(PW_UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -o $@ $(PW_UNIT_json_test)

TEST_BINS += $(BUILD)/tests/attrib_test $(BUILD)/tests/json_test
SAN_BINS += $(BUILD)/san/tests/attrib_test $(BUILD)/san/tests/json_test
# --- end attrib/json ---

# --- collector parts without BPF (unit tests) ---
PW_UNIT_collector_parts_test := tests/unit/collector_parts_test.c tests/unit/snapfix.c \
	userspace/gone.c userspace/snapshot.c userspace/pause_page.c
PW_UNIT_PARTS_HDRS := userspace/gone.h userspace/snapshot.h tests/unit/snapfix.h tests/tap.h

$(BUILD)/tests/collector_parts_test: $(PW_UNIT_collector_parts_test) $(PW_UNIT_PARTS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Iuserspace -Ipause -Itests -Itests/unit -o $@ $(PW_UNIT_collector_parts_test) -lm

$(BUILD)/san/tests/collector_parts_test: $(PW_UNIT_collector_parts_test) $(PW_UNIT_PARTS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Iuserspace -Ipause -Itests -Itests/unit -o $@ $(PW_UNIT_collector_parts_test) -lm

TEST_BINS += $(BUILD)/tests/collector_parts_test
SAN_BINS += $(BUILD)/san/tests/collector_parts_test
