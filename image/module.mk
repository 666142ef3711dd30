# image/module.mk: `make image` builds the shared image (image/build.sh)
# into build/image/: rootfs/ for containers, initramfs.cpio.gz for the VM.
IMAGE_DIR := $(BUILD)/image
IMAGE_ROOTFS := $(IMAGE_DIR)/rootfs
IMAGE_INITRAMFS := $(IMAGE_DIR)/initramfs.cpio.gz

.PHONY: image
image: $(IMAGE_INITRAMFS)

$(IMAGE_INITRAMFS): image/build.sh image/init $(STATIC_PROGRAMS)
	@image/build.sh $(IMAGE_DIR) $(abspath $(STATIC_PROGRAMS))

# A Debian base image for `isolab build` (issue 10): mmdebstrap, cached in
# build/debian/, imported as debian:bookworm (image/debian.sh).
.PHONY: debian-image
debian-image: $(BUILD)/isolab $(BUILD)/isolab-full
	@image/debian.sh $(BUILD) $(BUILD)/isolab
