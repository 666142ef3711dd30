# fuzz/module.mk: libFuzzer targets for the parsers that read untrusted
# input (kernel headers, config.json, command lines, sizes), and the
# `make fuzz` / `make fuzz-quick` targets that run them over the seed
# corpus in fuzz/corpus/<target>/ (see fuzz/README.md).
#
# Built with clang only (libFuzzer ships with it: Debian's clang and
# libclang-rt-14-dev), with AddressSanitizer and UndefinedBehaviorSanitizer,
# into build/fuzz/; nothing here is part of `make all` or `make test`.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 120
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_OBJ     := $(BUILD)/fuzz/obj
FUZZ_TARGETS := vmm_boot oci_config size vmm_args ctr_args eng_ref eng_manifest eng_tar \
                eng_dockerfile

# Sources of each target: its own file, the code it tests, what that needs.
FUZZ_vmm_boot_SRCS   := fuzz/vmm_boot.c vmm/boot.c common/error.c
FUZZ_size_SRCS       := fuzz/size.c common/size.c common/error.c
FUZZ_vmm_args_SRCS   := fuzz/vmm_args.c fuzz/argv.c vmm/args.c common/size.c common/error.c common/suggest.c
FUZZ_oci_config_SRCS := fuzz/oci_config.c $(CTR_PURE_SRCS) $(COMMON_SRCS)
FUZZ_oci_config_LIBS := -lcjson -lcap
FUZZ_ctr_args_SRCS   := fuzz/ctr_args.c fuzz/argv.c $(CTR_PURE_SRCS) $(COMMON_SRCS)
FUZZ_ctr_args_LIBS   := -lcjson -lcap
FUZZ_eng_ref_SRCS      := fuzz/eng_ref.c engine/lib/ref.c engine/lib/digest.c common/error.c
FUZZ_eng_manifest_SRCS := fuzz/eng_manifest.c engine/lib/image_json.c engine/lib/cmdline.c \
                          engine/lib/digest.c common/error.c common/utf8.c common/accounts.c
FUZZ_eng_manifest_LIBS := -lcjson
FUZZ_eng_tar_SRCS      := fuzz/eng_tar.c engine/lib/layer_unpack.c engine/lib/tarpath.c \
                          engine/lib/digest.c engine/lib/sha256.c common/error.c common/rmtree.c \
                          common/safe_open.c
FUZZ_eng_tar_LIBS      := -larchive -lcrypto -lz
FUZZ_eng_dockerfile_SRCS := fuzz/eng_dockerfile.c engine/lib/dockerfile.c engine/lib/dockerignore.c \
                            common/error.c common/utf8.c
FUZZ_TARGETS += vmm_snapshot
FUZZ_vmm_snapshot_SRCS := fuzz/vmm_snapshot.c $(VMM_SNAPSHOT_SRCS) common/error.c common/size.c

# Everything a target links is compiled with coverage instrumentation.
$(FUZZ_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

define FUZZ_TARGET_RULE
$(BUILD)/fuzz/$(1): $$(FUZZ_$(1)_SRCS:%.c=$$(FUZZ_OBJ)/%.o)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer -o $$@ $$^ $$(FUZZ_$(1)_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET_RULE,$(t))))

.PHONY: fuzz fuzz-build fuzz-quick
fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

# Runs every target for FUZZ_SECONDS over its seeds; new inputs go to
# build/fuzz/corpus/<target>/, crashes to build/fuzz/artifacts/.
fuzz: fuzz-build
	@fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The short run meant for `make test`: 30 s per target.
fuzz-quick:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

LINT_SOURCES += fuzz/argv.c $(FUZZ_TARGETS:%=fuzz/%.c)

-include $(shell find $(FUZZ_OBJ) -name '*.d' 2>/dev/null)
