# lab/module.mk: the nested-KVM lab (lab/run): its cached kernel, modules
# and initramfs under build/lab (make lab-assets; kept by make clean,
# removed by make distclean), and the /dev/kvm probe its tests run in L1.
LAB_DIR := $(BUILD)/lab

.PHONY: lab-assets
lab-assets: $(LAB_DIR)/stamp

# assets.sh checks its own stamp too: a second run does nothing.
$(LAB_DIR)/stamp: lab/assets.sh lab/l1-init
	@lab/assets.sh $(LAB_DIR)

$(BUILD)/lab-kvmcheck: $(BUILD)/obj/lab/kvmcheck.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^

PROGRAMS     += $(BUILD)/lab-kvmcheck
LINT_SOURCES += lab/kvmcheck.c
