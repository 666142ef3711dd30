# container/module.mk: build rules for container/ (isolab-ctr, its unit
# tests and the static test helper).

CTR_PURE_SRCS := container/config.c container/args.c container/oci.c container/cgroup.c \
                 container/stats.c container/caps.c container/rootfs.c container/owner.c \
                 container/reap.c container/fds.c container/keep_policy.c \
                 container/resolve.c container/devices.c container/seccomp.c \
                 container/seccomp_default.c container/oci_policy.c container/child_msg.c \
                 container/log.c container/spec.c container/features.c container/state.c \
                 container/signals.c container/cgroupfs.c \
                 container/sysctl.c container/hooks.c container/oci_fields.c container/oci_extras.c \
                 container/exec_flags.c
CTR_SYS_SRCS  := container/netns.c container/run.c container/child.c container/mounts.c \
                 container/main.c container/cli.c container/cmd_run.c container/cmd_sweep.c \
                 container/cmd_spec.c container/cmd_features.c container/init_exec.c \
                 container/tty.c container/keep_layer.c container/devices_cgroup.c \
                 container/seccomp_load.c container/seccomp_build.c container/lifecycle.c \
                 container/exec_into.c container/cmd_create.c container/cmd_start.c \
                 container/cmd_state.c container/cmd_kill.c container/cmd_delete.c \
                 container/cmd_list.c container/cmd_ps.c container/cmd_pause.c container/cmd_exec.c \
                 container/hooks_run.c container/child_setup.c
CTR_SRCS      := $(CTR_PURE_SRCS) $(CTR_SYS_SRCS)
# The runtime's helper (the exec helper every container program starts
# through, and the --init program): static (it runs inside the container's
# root, which need not hold a C library), stripped, embedded in isolab-ctr.
# Built with musl: about 40 KiB against glibc's 680, and each container start
# copies it into a memfd and execs it (init_exec.h).
CTR_INIT_SRCS := container/init.c container/reap.c container/exec_shim.c container/exec_cmd.c \
                 container/child_msg.c common/error.c
MUSL_CC       ?= musl-gcc
CTR_LIBS      := -lcjson -lcap
# libseccomp: the container's system call filter (seccomp_load.c).
# isolab-ctr runs three times per container a client such as containerd
# starts (create, start, delete), so it is linked statically like
# build/isolab: no dynamic loader, no shared libraries to map. Under
# software emulation that loader work was two thirds of `start` and
# `delete` (README.md, "Performance"). libcap and libseccomp's archives
# come with their -dev packages; cJSON's: common/module.mk.
CTR_LINK_LIBS := -lseccomp -lcap

$(BUILD)/isolab-ctr-init: $(CTR_INIT_SRCS:%.c=$(BUILD)/obj-musl/%.o)
	@mkdir -p $(dir $@)
	$(MUSL_CC) -static -s $(CFLAGS) -o $@ $^

$(BUILD)/obj-musl/%.o: %.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(CPPFLAGS_ALL) $(CFLAGS) -Os -c -o $@ $<

$(BUILD)/obj/container/init_blob.o: container/init_blob.S $(BUILD)/isolab-ctr-init
	@mkdir -p $(dir $@)
	$(CC) -c -DCTR_INIT_BLOB='"$(BUILD)/isolab-ctr-init"' -o $@ $<

# Unit tests link the pure modules (rootfs.c and caps.c for their pure
# helpers; nothing in the tests calls mount or capset).
CTR_TEST_OBJS := $(CTR_PURE_SRCS:%.c=$(BUILD)/obj/%.o) $(COMMON_LIB)

# The default seccomp profile's BPF program, generated once here rather
# than by libseccomp on every container start (container/seccomp_gen.c):
# a build-time program links the profile code and libseccomp and writes
# the C array isolab-ctr is linked with.
CTR_SECCOMP_GEN   := $(BUILD)/ctr-seccomp-gen
CTR_SECCOMP_BPF_C := $(BUILD)/gen/container/seccomp_default_bpf.c
CTR_SECCOMP_BPF_O := $(BUILD)/obj/$(CTR_SECCOMP_BPF_C:.c=.o)

$(CTR_SECCOMP_GEN): $(BUILD)/obj/container/seccomp_gen.o $(BUILD)/obj/container/seccomp_build.o \
                    $(CTR_TEST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(CTR_LIBS) -lseccomp

$(CTR_SECCOMP_BPF_C): $(CTR_SECCOMP_GEN)
	@mkdir -p $(dir $@)
	$(CTR_SECCOMP_GEN) > $@.tmp && mv $@.tmp $@

$(BUILD)/isolab-ctr: $(CTR_SRCS:%.c=$(BUILD)/obj/%.o) $(CTR_SECCOMP_BPF_O) \
                     $(BUILD)/obj/container/init_blob.o $(COMMON_LIB) $(CJSON_STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(CTR_LINK_LIBS)

$(BUILD)/tests/unit/container_%: container/tests/test_%.c $(CTR_TEST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ $^ $(CTR_LIBS) $(CMOCKA_LIBS)

# A test helper for the image: TIOCSTI from inside a container.
$(BUILD)/tiocsti: $(BUILD)/obj-static/container/tests/tiocsti.o
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -o $@ $^

PROGRAMS     += $(BUILD)/isolab-ctr
STATIC_PROGRAMS += $(BUILD)/tiocsti
# The precomputed filter against libseccomp's: the libseccomp side too.
$(BUILD)/tests/unit/container_seccomp_bpf: $(BUILD)/obj/container/seccomp_build.o \
        $(BUILD)/obj/container/seccomp_load.o $(CTR_SECCOMP_BPF_O)
$(BUILD)/tests/unit/container_seccomp_bpf: CTR_LIBS += -lseccomp
# The exec helper's PATH search, for the errno a failed exec reports.
$(BUILD)/tests/unit/container_child_msg: $(BUILD)/obj/container/exec_cmd.o

UNIT_TESTS   += $(patsubst container/tests/test_%.c,$(BUILD)/tests/unit/container_%,$(wildcard container/tests/test_*.c))
LINT_SOURCES += $(CTR_SRCS) container/seccomp_gen.c container/init.c container/exec_shim.c \
                container/exec_cmd.c container/tests/tiocsti.c

.PHONY: ctr
ctr: $(BUILD)/isolab-ctr

# The static test helper in the image: one system call the policy refuses
# (container/tests/probe/sysprobe.c), for the integration tests.
$(BUILD)/sysprobe: $(BUILD)/obj-static/container/tests/probe/sysprobe.o
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -o $@ $^

STATIC_PROGRAMS += $(BUILD)/sysprobe
LINT_SOURCES    += container/tests/probe/sysprobe.c
