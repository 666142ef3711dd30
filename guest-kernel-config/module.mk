# guest-kernel-config/module.mk: `make kernel` builds the guest kernel into
# build/guest/ once; it is rebuilt only when the fragment or the build
# script change. `make clean` keeps it, `make distclean` removes it.
GUEST_DIR    := $(BUILD)/guest
GUEST_KERNEL := $(GUEST_DIR)/bzImage
GUEST_VMLINUX := $(GUEST_DIR)/vmlinux

.PHONY: kernel
kernel: $(GUEST_DIR)/.built

$(GUEST_DIR)/.built: guest-kernel-config/isolab.config guest-kernel-config/build.sh
	@guest-kernel-config/build.sh $(GUEST_DIR)
	@touch $@
