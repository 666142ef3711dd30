# common/: code the VM, container and bench sides share (timing, sizes,
# errors, JSON files, the guest port protocol). Built once as a static
# library, in a dynamic and a static flavour.

COMMON_SRCS := common/error.c common/timing.c common/size.c common/jsonfile.c common/procfs.c \
               common/mkdir.c common/safe_open.c common/rmtree.c common/utf8.c
COMMON_LIB  := $(BUILD)/libisolab-common.a
COMMON_LIB_STATIC := $(BUILD)/libisolab-common-static.a
# The static flavour (for programs in the image) has no cJSON.
COMMON_STATIC_SRCS := common/error.c common/timing.c common/size.c common/mkdir.c

$(COMMON_LIB): $(COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(COMMON_LIB_STATIC): $(COMMON_STATIC_SRCS:%.c=$(BUILD)/obj-static/%.o)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/tests/unit/common: common/tests/test_common.c $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ $^ -lcjson $(CMOCKA_LIBS)

UNIT_TESTS   += $(BUILD)/tests/unit/common
LINT_SOURCES += $(COMMON_SRCS)
