# lab/module.mk: the nested-KVM lab (lab/run): its cached kernel, modules
# and initramfs under build/lab (make lab-assets; kept by make clean,
# removed by make distclean), and the /dev/kvm probe its tests run in L1.
LAB_DIR := $(BUILD)/lab
# Static helpers that go into the L1 initramfs (not into the image).
LAB_TMPBIND := $(BUILD)/obj-static/lab/isolab-l1-tmpbind
LAB_KVMHOLD := $(BUILD)/obj-static/lab/isolab-l1-kvmhold

.PHONY: lab-assets
lab-assets: $(LAB_DIR)/stamp

# assets.sh checks its own stamp too (a checksum of its inputs): when only
# timestamps changed, e.g. after make clean, it touches the stamp and stops.
$(LAB_DIR)/stamp: lab/assets.sh lab/l1-init $(LAB_TMPBIND) $(LAB_KVMHOLD)
	@lab/assets.sh $(LAB_DIR) $(LAB_TMPBIND) $(LAB_KVMHOLD)

$(LAB_TMPBIND): $(BUILD)/obj-static/lab/l1_tmpbind.o $(COMMON_LIB_STATIC)
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -o $@ $^

$(LAB_KVMHOLD): $(BUILD)/obj-static/lab/l1_kvmhold.o $(COMMON_LIB_STATIC)
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -o $@ $^

$(BUILD)/lab-kvmcheck: $(BUILD)/obj/lab/kvmcheck.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^

PROGRAMS     += $(BUILD)/lab-kvmcheck
LINT_SOURCES += lab/kvmcheck.c lab/l1_tmpbind.c lab/l1_kvmhold.c
