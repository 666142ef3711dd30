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
# build/debian/ (image/debian.sh), and a flat apt repository with what
# installing gcc and libc6-dev on it needs (image/debian-apt-repo.sh), which
# the tests serve on 127.0.0.1. Both are made once, from the Debian archive;
# `debian-base` touches no store, `debian-image` also imports the tar as
# debian:bookworm into the store (ISOLAB_ROOT or /var/lib/isolab).
DEBIAN_DIR := $(BUILD)/debian
DEBIAN_TAR := $(DEBIAN_DIR)/bookworm.tar
DEBIAN_REPO := $(DEBIAN_DIR)/apt/Packages

.PHONY: debian-base debian-image
debian-base: $(DEBIAN_TAR) $(DEBIAN_REPO)

# no prerequisites: made once (`rm -r build/debian` to make it again)
$(DEBIAN_TAR):
	@image/debian.sh $(DEBIAN_DIR)

$(DEBIAN_REPO): $(DEBIAN_TAR) image/debian-apt-repo.sh
	@image/debian-apt-repo.sh $(DEBIAN_DIR)

debian-image: debian-base $(BUILD)/isolab $(BUILD)/isolab-full
	@image/debian.sh $(DEBIAN_DIR) $(BUILD)/isolab
