# vmm/module.mk: build rules for vmm/: build/isolab-vmm (the KVM VMM),
# build/isolab-guest (static, into the image's /bin) and the unit tests.

# Pure logic (unit-tested without /dev/kvm) and the thin system layer.
VMM_PURE_SRCS := vmm/boot.c vmm/x86_setup.c vmm/serial.c vmm/i8042.c \
                 vmm/debugport.c vmm/iobus.c vmm/args.c vmm/console.c \
                 vmm/banner.c
# The virtio devices: one transport, the split virtqueue, the block device.
VMM_PURE_SRCS += vmm/virtq.c vmm/virtio_mmio.c vmm/virtio_blk.c
# The network device (issue 12): the model, pure; its tap backend, system.
VMM_PURE_SRCS += vmm/virtio_net.c
# The snapshot state file (issue 15): its format and each device's section.
VMM_PURE_SRCS += vmm/snapshot_format.c
VMM_SYS_SRCS  := vmm/kvm.c vmm/loader.c vmm/vcpu.c vmm/devices.c vmm/stats.c \
                 vmm/main.c vmm/disk.c vmm/net.c
VMM_SYS_SRCS  += vmm/tap.c
VMM_GUEST_SRCS := vmm/guest/isolab-guest.c

$(BUILD)/isolab-vmm: $(VMM_PURE_SRCS:%.c=$(BUILD)/obj/%.o) \
		$(VMM_SYS_SRCS:%.c=$(BUILD)/obj/%.o) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -lcjson -lpthread

$(BUILD)/isolab-guest: $(VMM_GUEST_SRCS:%.c=$(BUILD)/obj-static/%.o)
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -o $@ $^

$(BUILD)/tests/unit/vmm: vmm/tests/test_vmm.c $(VMM_PURE_SRCS:%.c=$(BUILD)/obj/%.o) \
		$(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ $^ -lcjson $(CMOCKA_LIBS)

.PHONY: vmm
vmm: $(BUILD)/isolab-vmm $(BUILD)/isolab-guest $(BUILD)/tests/unit/vmm

# The virtio models alone: transport, virtqueue and block device.
VMM_VIRTIO_SRCS := vmm/virtq.c vmm/virtio_mmio.c vmm/virtio_blk.c
$(BUILD)/tests/unit/vmm_virtio: vmm/tests/test_virtio.c $(VMM_VIRTIO_SRCS:%.c=$(BUILD)/obj/%.o) \
		$(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS)
vmm: $(BUILD)/tests/unit/vmm_virtio

# virtio-net over the same transport and virtqueue, and the tap (its
# tests that need root and /dev/net/tun skip without them).
VMM_VIRTIO_NET_SRCS := vmm/virtq.c vmm/virtio_mmio.c vmm/virtio_net.c vmm/tap.c
$(BUILD)/tests/unit/vmm_virtio_net: vmm/tests/test_virtio_net.c $(VMM_VIRTIO_NET_SRCS:%.c=$(BUILD)/obj/%.o) \
		$(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS)
vmm: $(BUILD)/tests/unit/vmm_virtio_net

# The snapshot state file alone: format, device sections, hostile input.
VMM_SNAPSHOT_SRCS := vmm/snapshot_format.c vmm/serial.c vmm/i8042.c vmm/debugport.c \
                     vmm/virtq.c vmm/virtio_mmio.c vmm/virtio_blk.c vmm/virtio_net.c
$(BUILD)/tests/unit/vmm_snapshot: vmm/tests/test_snapshot.c $(VMM_SNAPSHOT_SRCS:%.c=$(BUILD)/obj/%.o) \
		$(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS)
vmm: $(BUILD)/tests/unit/vmm_snapshot

PROGRAMS        += $(BUILD)/isolab-vmm
STATIC_PROGRAMS += $(BUILD)/isolab-guest
UNIT_TESTS      += $(BUILD)/tests/unit/vmm
UNIT_TESTS      += $(BUILD)/tests/unit/vmm_virtio
UNIT_TESTS      += $(BUILD)/tests/unit/vmm_virtio_net
UNIT_TESTS      += $(BUILD)/tests/unit/vmm_snapshot
LINT_SOURCES    += $(VMM_PURE_SRCS) $(VMM_SYS_SRCS) $(VMM_GUEST_SRCS)

# The init of `isolab run --vm` (engine/README.md, "Run an image as a VM"):
# static, packed by the engine into each VM run's initramfs with the run's
# spec, whose parser (engine/lib/vmspec.c) it shares with the engine.
VMM_VMINIT_SRCS := vmm/guest/isolab-vminit.c engine/lib/vmspec.c
$(BUILD)/isolab-vminit: $(VMM_VMINIT_SRCS:%.c=$(BUILD)/obj-static/%.o) $(COMMON_LIB_STATIC)
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -o $@ $^
vmm: $(BUILD)/isolab-vminit
PROGRAMS     += $(BUILD)/isolab-vminit
LINT_SOURCES += vmm/guest/isolab-vminit.c
