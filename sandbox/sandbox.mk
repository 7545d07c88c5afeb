# sandbox/sandbox.mk — podsandbox: a pod built by hand with runc and CNI.
#
#   make sandbox        everything tests/sandbox needs: the OCI images
#                       (`make image`), build/pause, build/pausestat and
#                       build/podsandbox-shim
#   make sandbox-lint   shellcheck sandbox/podsandbox and tests/sandbox
#
# sandbox/podsandbox itself is a bash script run in place; the shim is the
# only thing compiled (a tiny conmon that keeps a detached container's exit
# status).

.PHONY: sandbox sandbox-lint

all: $(BUILD)/podsandbox-shim

$(BUILD)/podsandbox-shim: sandbox/podsandbox-shim.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<

$(BUILD)/san/podsandbox-shim: sandbox/podsandbox-shim.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -o $@ $<

SAN_BINS += $(BUILD)/san/podsandbox-shim

sandbox: image $(BUILD)/pause $(BUILD)/pausestat $(BUILD)/podsandbox-shim

# tests/sandbox/ needs all of it (sharepid.t also reads build/pausestat).
TEST_BINS += sandbox

sandbox-lint:
	shellcheck -x -S style sandbox/podsandbox tests/sandbox/*.t tests/sandbox/*.sh
