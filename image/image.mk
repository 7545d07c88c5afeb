# image/image.mk — the OCI sandbox image and `make demo` (docs/image.md).
#
#   make image        build/image/pause-oci (OCI layout, tag latest),
#                     build/image/pause.tar (oci-archive), and the test
#                     workload image build/image/busybox-oci
#   make image-load   also copy both into podman's storage as
#                     localhost/pausewatch-{pause,busybox}:latest
#   make demo         install, build, load, run a pod with our pause, clean up
#
# No Docker: umoci builds the layouts, skopeo moves them into podman.
# Reproducible: the same source gives the same manifest digest.  Every input
# that ends up in the image is pinned below and recorded in labels.env, which
# is rewritten only when a value changes (so a new commit rebuilds the image,
# a plain `make image` twice does not).

IMAGE_DIR := $(BUILD)/image
BUSYBOX_BIN ?= /bin/busybox
# Commit time of HEAD (0 before the first commit, or outside git).
SOURCE_DATE_EPOCH ?= $(or $(shell git -C $(ROOT) log -1 --format=%ct 2>/dev/null),0)
IMAGE_REVISION ?= $(shell git -C $(ROOT) rev-parse HEAD 2>/dev/null)
IMAGE_SOURCE ?= $(or $(shell git -C $(ROOT) config --get remote.origin.url 2>/dev/null),https://github.com/pausewatch/pausewatch)
IMAGE_VERSION ?= $(VERSION)

IMAGE_ENV = SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' IMAGE_REVISION='$(IMAGE_REVISION)' \
	IMAGE_SOURCE='$(IMAGE_SOURCE)' IMAGE_VERSION='$(IMAGE_VERSION)'

.PHONY: image image-files image-load image-deps image-labels-force demo

# Packages first (a fresh machine has neither musl-gcc nor umoci), then files.
image:
	@$(DEPS) build image
	@$(MAKE) --no-print-directory image-files

image-files: $(IMAGE_DIR)/pause-oci/index.json $(IMAGE_DIR)/pause.tar $(IMAGE_DIR)/busybox-oci/index.json

# The tests use the images (tests/image/).  tests/tests.mk expands
# TEST_BINS when it is included, before this fragment, so also name them as
# prerequisites of test-bins directly.
IMAGE_FILES := $(IMAGE_DIR)/pause-oci/index.json $(IMAGE_DIR)/pause.tar $(IMAGE_DIR)/busybox-oci/index.json
TEST_BINS += $(IMAGE_FILES)
test-bins: $(IMAGE_FILES)

image-deps:
	@$(DEPS) image

# Rewritten only when a label value changes: see the header.
image-labels-force: ;
$(IMAGE_DIR)/labels.env: image-labels-force
	@mkdir -p $(@D)
	@printf '%s\n' $(IMAGE_ENV) >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(IMAGE_DIR)/pause-oci/index.json $(IMAGE_DIR)/pause.tar &: $(BUILD)/pause image/build-image.sh image/oci-lib.sh \
		$(IMAGE_DIR)/labels.env | image-deps
	@$(IMAGE_ENV) image/build-image.sh pause $(IMAGE_DIR)/pause-oci $(BUILD)/pause $(IMAGE_DIR)/pause.tar

$(IMAGE_DIR)/busybox-oci/index.json: $(wildcard $(BUSYBOX_BIN)) image/build-image.sh image/oci-lib.sh \
		$(IMAGE_DIR)/labels.env | image-deps
	@$(IMAGE_ENV) image/build-image.sh busybox $(IMAGE_DIR)/busybox-oci $(BUSYBOX_BIN)

image-load: image
	@CONTAINERS_CONF=$(ROOT)/image/containers.conf BUILD=$(BUILD) image/load-podman.sh

# The demo installs what it needs, so it works on a fresh machine.
# make demo DEMO_ARGS=-b: no live view, text only (what it does without a terminal).
demo:
	@$(DEPS) build image
	@$(MAKE) --no-print-directory $(BUILD)/pause $(BUILD)/pausestat $(BUILD)/pausetop image
	@BUILD=$(BUILD) PAUSESTAT=$(BUILD)/pausestat PAUSETOP=$(BUILD)/pausetop image/demo.sh $(DEMO_ARGS)

# The pausetop image the Kubernetes DaemonSet runs (deploy/, docs/deploy.md):
#   make image-pausetop   build/image/pausetop-oci (tag latest), build/image/pausetop.tar
# tests/containerd/daemonset.t runs it under the DaemonSet's security context.
PAUSETOP_IMAGE_FILES := $(IMAGE_DIR)/pausetop-oci/index.json $(IMAGE_DIR)/pausetop.tar
.PHONY: image-pausetop
image-pausetop:
	@$(DEPS) build image
	@$(MAKE) --no-print-directory $(PAUSETOP_IMAGE_FILES)
TEST_BINS += $(PAUSETOP_IMAGE_FILES)
test-bins: $(PAUSETOP_IMAGE_FILES)

$(IMAGE_DIR)/pausetop-oci/index.json $(IMAGE_DIR)/pausetop.tar &: $(BUILD)/pausetop deploy/build-image.sh image/oci-lib.sh \
		$(IMAGE_DIR)/labels.env | image-deps
	@$(IMAGE_ENV) deploy/build-image.sh $(IMAGE_DIR)/pausetop-oci $(BUILD)/pausetop $(IMAGE_DIR)/pausetop.tar
