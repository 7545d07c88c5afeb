# userspace/userspace.mk — the collector (the only libbpf user) and its faces.

USP_CFLAGS := $(HOST_CFLAGS) -Iuserspace -Ipause -Ibpf -I$(BUILD)/bpf
BPF_LIBS_STATIC := -static -lbpf -lelf -lz -lm -pthread
BPF_LIBS_DYN := -lbpf -lelf -lz -lm -pthread

COLLECTOR_SRCS := userspace/collector.c userspace/attrib.c userspace/pause_page.c userspace/json.c \
		  userspace/snapshot.c userspace/gone.c userspace/nscache.c
COLLECTOR_HDRS := userspace/collector.h userspace/snapshot.h userspace/gone.h userspace/nscache.h userspace/attrib.h userspace/pause_page.h userspace/json.h \
		  pause/pause_stats.h bpf/pausewatch.h $(BPF_SKEL)
# The live view (tui*.c): ncursesw.
TUI_SRCS := userspace/tui.c userspace/tui_draw.c userspace/tui_model.c userspace/tui_text.c
TUI_HDRS := userspace/tui_model.h userspace/tui_view.h
TUI_LIBS_STATIC := -lncursesw -ltinfo
TUI_LIBS_DYN := -lncursesw -ltinfo
# The Prometheus exporter and the cluster view (docs/export.md); export_http.c
# is the only libmicrohttpd user.
EXPORT_SRCS := userspace/metrics_face.c userspace/promesc.c userspace/export.c userspace/export_http.c \
	       userspace/httpneg.c userspace/promsrc.c userspace/httpc.c userspace/jsonparse.c
EXPORT_HDRS := userspace/metrics_face.h userspace/promesc.h userspace/export.h userspace/httpneg.h \
	       userspace/promsrc.h userspace/httpc.h userspace/jsonparse.h
# libmicrohttpd is dlopen'ed by --listen (export_http.c says why): only its header at build time.
HTTPD_LIBS := -ldl
PAUSETOP_SRCS := userspace/pausetop.c userspace/options.c userspace/json_face.c userspace/text_face.c \
		 userspace/textsafe.c userspace/privs.c $(TUI_SRCS) $(EXPORT_SRCS)
PAUSETOP_HDRS := userspace/faces.h userspace/options.h userspace/textsafe.h userspace/privs.h $(TUI_HDRS) \
		 $(EXPORT_HDRS)

all: $(BUILD)/pausetop

# Dynamic: libmicrohttpd links statically only with gnutls, p11-kit and
# libunistring, and Debian ships no static p11-kit or libunistring.  The
# kernel-matrix guests get $(BUILD)/static/pausetop (below), without --listen.
$(BUILD)/pausetop: $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS) $(PAUSETOP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) -o $@ $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(TUI_LIBS_DYN) $(BPF_LIBS_DYN) $(HTTPD_LIBS)

# Static, so the same binary runs in the kernel-matrix guests: everything but
# the HTTP server (--listen says it is not built in; --metrics, --textfile work).
$(BUILD)/static/pausetop: $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS) $(PAUSETOP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) -DPW_NO_HTTPD -o $@ $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(TUI_LIBS_STATIC) $(BPF_LIBS_STATIC)

$(BUILD)/san/pausetop: $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS) $(PAUSETOP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) $(SAN_FLAGS) -o $@ $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(TUI_LIBS_DYN) $(BPF_LIBS_DYN) $(HTTPD_LIBS)

# Telemetry integration tests: real namespaces, real kernel, the collector API.
TELEMETRY_IT_SRCS := tests/telemetry/telemetry_it.c tests/telemetry/workloads.c
TELEMETRY_IT_HDRS := tests/telemetry/workloads.h tests/tap.h

$(BUILD)/tests/telemetry_it: $(TELEMETRY_IT_SRCS) $(TELEMETRY_IT_HDRS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) -Itests -pthread -o $@ $(TELEMETRY_IT_SRCS) $(COLLECTOR_SRCS) $(BPF_LIBS_STATIC)

$(BUILD)/san/tests/telemetry_it: $(TELEMETRY_IT_SRCS) $(TELEMETRY_IT_HDRS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) $(SAN_FLAGS) -Itests -pthread -o $@ $(TELEMETRY_IT_SRCS) $(COLLECTOR_SRCS) $(BPF_LIBS_DYN)

# The randomized self-check (issue 9): puppet process trees, a model of the
# kernel's rules, the collector compared exactly.  Puppets exec the binary
# itself, so the static build runs anywhere the tests run.
SELFCHECK_SRCS := tests/telemetry/selfcheck.c tests/telemetry/sc_model.c tests/telemetry/sc_puppet.c
SELFCHECK_HDRS := tests/telemetry/sc_model.h tests/telemetry/sc_puppet.h tests/tap.h

$(BUILD)/tests/selfcheck: $(SELFCHECK_SRCS) $(SELFCHECK_HDRS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) -Itests -pthread -o $@ $(SELFCHECK_SRCS) $(COLLECTOR_SRCS) $(BPF_LIBS_STATIC)

$(BUILD)/san/tests/selfcheck: $(SELFCHECK_SRCS) $(SELFCHECK_HDRS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) $(SAN_FLAGS) -Itests -pthread -o $@ $(SELFCHECK_SRCS) $(COLLECTOR_SRCS) $(BPF_LIBS_DYN)

TEST_BINS += $(BUILD)/tests/selfcheck
SAN_BINS += $(BUILD)/san/tests/selfcheck

# A plain dynamic build for valgrind (static glibc confuses memcheck).
$(BUILD)/dyn/pausetop: $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(COLLECTOR_HDRS) $(PAUSETOP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USP_CFLAGS) -O1 -o $@ $(PAUSETOP_SRCS) $(COLLECTOR_SRCS) $(TUI_LIBS_DYN) $(BPF_LIBS_DYN) $(HTTPD_LIBS)

TEST_BINS += $(BUILD)/tests/telemetry_it $(BUILD)/dyn/pausetop $(BUILD)/static/pausetop
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
	userspace/gone.c userspace/snapshot.c userspace/pause_page.c userspace/nscache.c userspace/attrib.c
PW_UNIT_PARTS_HDRS := userspace/gone.h userspace/snapshot.h userspace/nscache.h userspace/attrib.h \
	tests/unit/snapfix.h tests/tap.h

$(BUILD)/tests/collector_parts_test: $(PW_UNIT_collector_parts_test) $(PW_UNIT_PARTS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Iuserspace -Ipause -Itests -Itests/unit -o $@ $(PW_UNIT_collector_parts_test) -lm

$(BUILD)/san/tests/collector_parts_test: $(PW_UNIT_collector_parts_test) $(PW_UNIT_PARTS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Iuserspace -Ipause -Itests -Itests/unit -o $@ $(PW_UNIT_collector_parts_test) -lm

TEST_BINS += $(BUILD)/tests/collector_parts_test
SAN_BINS += $(BUILD)/san/tests/collector_parts_test

# --- faces (unit tests of the text, JSON and live-view faces) ---
# Owned by the live-view engineer.  No root, no BPF: snapshots built by hand.
PW_FACES_SRCS := tests/unit/faces_test.c tests/unit/snapfix.c userspace/text_face.c \
		 userspace/json_face.c userspace/json.c userspace/textsafe.c userspace/snapshot.c \
		 userspace/pause_page.c userspace/tui_model.c userspace/tui_text.c
PW_FACES_HDRS := tests/unit/snapfix.h tests/tap.h userspace/faces.h userspace/snapshot.h \
		 userspace/textsafe.h userspace/tui_model.h userspace/json.h
PW_FACES_FLAGS := -Iuserspace -Ipause -Itests -Itests/unit

$(BUILD)/tests/faces_test: $(PW_FACES_SRCS) $(PW_FACES_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(PW_FACES_FLAGS) -o $@ $(PW_FACES_SRCS) -lm

$(BUILD)/san/tests/faces_test: $(PW_FACES_SRCS) $(PW_FACES_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(PW_FACES_FLAGS) -o $@ $(PW_FACES_SRCS) -lm

TEST_BINS += $(BUILD)/tests/faces_test
SAN_BINS += $(BUILD)/san/tests/faces_test
# --- end faces ---

# --- live view tests (tests/tui) ---
# A PID namespace with exactly N zombies, for the tmux tests (tests/tui/nsfix.c).
$(BUILD)/tests/tui_nsfix: tests/tui/nsfix.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<

TEST_BINS += $(BUILD)/tests/tui_nsfix
# --- end live view tests ---

# --- Prometheus export (unit tests) ---
# Owned by the export engineer: the exposition, escapes and negotiation
# (metrics_test) and what --prometheus reads back (promsrc_test), from
# hand-built snapshots and answers; no root, no BPF.
PW_EXPORT_UNIT_HDRS := $(EXPORT_HDRS) userspace/snapshot.h tests/unit/snapfix.h tests/tap.h
PW_EXPORT_UNIT_metrics_test := tests/unit/metrics_test.c tests/unit/snapfix.c userspace/metrics_face.c \
			       userspace/promesc.c userspace/textsafe.c userspace/httpneg.c userspace/snapshot.c userspace/pause_page.c
PW_EXPORT_UNIT_promsrc_test := tests/unit/promsrc_test.c userspace/promsrc.c userspace/httpc.c \
			       userspace/jsonparse.c userspace/promesc.c userspace/textsafe.c \
			       userspace/snapshot.c userspace/pause_page.c
PW_EXPORT_UNIT_FLAGS := -Iuserspace -Ipause -Itests -Itests/unit

$(BUILD)/tests/metrics_test: $(PW_EXPORT_UNIT_metrics_test) $(PW_EXPORT_UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(PW_EXPORT_UNIT_FLAGS) -o $@ $(PW_EXPORT_UNIT_metrics_test) -lm

$(BUILD)/tests/promsrc_test: $(PW_EXPORT_UNIT_promsrc_test) $(PW_EXPORT_UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(PW_EXPORT_UNIT_FLAGS) -o $@ $(PW_EXPORT_UNIT_promsrc_test) -lm

$(BUILD)/san/tests/metrics_test: $(PW_EXPORT_UNIT_metrics_test) $(PW_EXPORT_UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(PW_EXPORT_UNIT_FLAGS) -o $@ $(PW_EXPORT_UNIT_metrics_test) -lm

$(BUILD)/san/tests/promsrc_test: $(PW_EXPORT_UNIT_promsrc_test) $(PW_EXPORT_UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(PW_EXPORT_UNIT_FLAGS) -o $@ $(PW_EXPORT_UNIT_promsrc_test) -lm

TEST_BINS += $(BUILD)/tests/metrics_test $(BUILD)/tests/promsrc_test
SAN_BINS += $(BUILD)/san/tests/metrics_test $(BUILD)/san/tests/promsrc_test
# --- end Prometheus export ---
