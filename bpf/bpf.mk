# bpf/bpf.mk — CO-RE programs → object → bpftool skeleton.
#
# The skeleton (build/bpf/pausewatch.skel.h) is included only by
# userspace/collector.c; nothing else sees a map layout.

BPF_CLANG   ?= clang
BPF_STRIP   ?= llvm-strip
BPFTOOL     ?= bpftool
VMLINUX_DIR := vmlinux/$(ARCH)
BPF_CFLAGS  := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -I$(VMLINUX_DIR) -Ibpf \
	       -Wall -Werror -Wno-unused-function

BPF_OBJ  := $(BUILD)/bpf/pausewatch.bpf.o
BPF_SKEL := $(BUILD)/bpf/pausewatch.skel.h

$(BPF_OBJ): bpf/pausewatch.bpf.c bpf/pausewatch.h $(VMLINUX_DIR)/vmlinux.h
	@mkdir -p $(@D)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPF_STRIP) -g $@.tmp -o $@ && rm -f $@.tmp

$(BPF_SKEL): $(BPF_OBJ)
	$(BPFTOOL) gen skeleton $< name pausewatch_bpf > $@.tmp && mv $@.tmp $@

# Regenerate the vendored vmlinux.h from the running kernel's BTF.  Commit the
# result: builds never read the build host's BTF.
.PHONY: vmlinux
vmlinux:
	@test -r /sys/kernel/btf/vmlinux || { echo "no /sys/kernel/btf/vmlinux: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF)" >&2; exit 1; }
	@mkdir -p $(VMLINUX_DIR)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX_DIR)/vmlinux.h.tmp
	mv $(VMLINUX_DIR)/vmlinux.h.tmp $(VMLINUX_DIR)/vmlinux.h
