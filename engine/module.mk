# engine/module.mk: build rules for engine/ (build/isolab, the engine a user
# types: images, registry, run). As crun's libcrun sits under its src/*.c,
# the engine is a library (engine/lib/: store, references, image JSON,
# layers, registry client) under a thin command line (engine/*.c, one file
# per command group), so a later daemon calls the same functions.
# Every .c in engine/lib/ is library; every engine/tests/test_X.c is the
# cmocka binary build/tests/unit/engine_X.

ENG_LIB_SRCS := $(sort $(wildcard engine/lib/*.c))
ENG_LIB      := $(BUILD)/libisolab-engine.a
# Two programs (engine/main.c says why): build/isolab with the commands
# that read the store and run containers, linked with cJSON alone, and
# build/isolab-full with every command and the heavy libraries.
ENG_CMD_LIGHT := engine/main.c engine/cli.c engine/cmd_images.c engine/cmd_run.c \
                 engine/cmd_containers.c engine/cmd_network.c
# isolab run --vm: the image as a microVM (engine/README.md, "Run an image as a VM").
ENG_CMD_LIGHT += engine/vm_run.c
ENG_CMD_FULL  := engine/cmd_import.c engine/cmd_archive.c engine/cmd_registry.c \
                 engine/cmd_build.c
ENG_CMD_SRCS  := $(ENG_CMD_LIGHT) $(wildcard $(ENG_CMD_FULL))
# libarchive: tar (PAX, hard links, sparse files, xattrs) and gzip; libcurl:
# the registry's HTTP; libcrypto: sha256; cJSON: manifests and configs.
ENG_LIBS     := -larchive -lcurl -lcrypto -lcjson -lz
ENG_TESTS    := $(patsubst engine/tests/test_%.c,$(BUILD)/tests/unit/engine_%,\
                  $(wildcard engine/tests/test_*.c))

$(ENG_LIB): $(ENG_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# build/isolab runs before every container a user starts, so it is linked
# statically: no dynamic loader, no shared libraries to map (the store adds
# lookups, not start-up work; engine/README.md, "Performance"); cJSON's
# archive: common/module.mk.
$(BUILD)/isolab: $(ENG_CMD_LIGHT:%.c=$(BUILD)/obj/%.o) $(ENG_LIB) $(COMMON_LIB) $(CJSON_STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^

$(BUILD)/isolab-full: $(ENG_CMD_SRCS:%.c=$(BUILD)/obj/%.o) $(ENG_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(ENG_LIBS)

$(BUILD)/tests/unit/engine_%: engine/tests/test_%.c $(ENG_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ $^ $(ENG_LIBS) $(CMOCKA_LIBS)

PROGRAMS     += $(BUILD)/isolab $(BUILD)/isolab-full
UNIT_TESTS   += $(ENG_TESTS)
LINT_SOURCES += $(ENG_LIB_SRCS) $(ENG_CMD_SRCS)
