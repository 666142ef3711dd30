# common/: code the VM, container and bench sides share (timing, sizes,
# errors, JSON files, the guest port protocol). Built once as a static
# library, in a dynamic and a static flavour.

COMMON_SRCS := common/error.c common/timing.c common/size.c common/jsonfile.c common/procfs.c \
               common/mkdir.c common/safe_open.c common/rmtree.c common/utf8.c \
               common/accounts.c common/io.c common/suggest.c
COMMON_LIB  := $(BUILD)/libisolab-common.a
COMMON_LIB_STATIC := $(BUILD)/libisolab-common-static.a
# The static flavour (for programs in the image) has no cJSON.
COMMON_STATIC_SRCS := common/error.c common/timing.c common/size.c common/mkdir.c common/io.c

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


# cJSON for the static programs (build/isolab, build/isolab-ctr). Debian
# ships cJSON only shared; `make deps` fetches Debian's source of the
# installed version (scripts/cjson-source.sh), compiled here as it is.
CJSON_VERSION := $(shell dpkg-query -W -f='$${Version}' libcjson-dev 2>/dev/null)
CJSON_SRC     := /usr/local/src/isolab/cjson-$(CJSON_VERSION)/cJSON.c
CJSON_STATIC  := $(BUILD)/cjson/libcjson.a

$(CJSON_STATIC):
	@test -f '$(CJSON_SRC)' || { echo "make: $(CJSON_SRC): missing (make deps fetches it)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -std=gnu11 -c -o $(BUILD)/cjson/cJSON.o '$(CJSON_SRC)'
	$(AR) rcs $@ $(BUILD)/cjson/cJSON.o
