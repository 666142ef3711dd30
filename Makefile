# isolab: top-level build.
#
# Every program keeps its own rules in its folder's module.mk; this file holds
# the shared flags, the pattern rules and the user-facing targets that the
# README documents (deps, kernel, image, test, bench, bench-quick, lint,
# fuzz, fuzz-quick).
# All output goes under build/, which git ignores.

BUILD   := build
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
# Header dependencies of each object (build/obj*/**.d, included below).
DEPFLAGS     := -MMD -MP
CPPFLAGS_ALL = -std=gnu11 -D_GNU_SOURCE -I. $(WARN) $(DEPFLAGS)
CMOCKA_LIBS := -lcmocka

# Lists the module.mk files append to.
PROGRAMS       :=   # host programs: build/isolab-vmm, build/isolab-ctr, ...
STATIC_PROGRAMS :=  # static programs that go into the shared image's /bin
UNIT_TESTS     :=   # cmocka binaries, run by tests/run
LINT_SOURCES   :=   # C sources checked by `make lint`

.PHONY: all deps kernel image lab test unit bench bench-quick lint clean distclean demo soak
all: programs

include common/module.mk
include vmm/module.mk
include container/module.mk
include bench/module.mk
include engine/module.mk
include guest-kernel-config/module.mk
include image/module.mk
include lab/module.mk
include fuzz/module.mk

.PHONY: programs
programs: $(PROGRAMS) $(STATIC_PROGRAMS)

# One object rule for the whole tree: build/obj/<path>.o from <path>.c.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -c -o $@ $<

# Static objects (for programs that run inside the guest or a container).
$(BUILD)/obj-static/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -c -o $@ $<

deps:
	@scripts/deps.sh

unit: $(UNIT_TESTS)
# A unit test binary is compiled and linked in one step: no .d file beside it
# (nothing includes one, and build/tests/unit/ should hold only test binaries).
$(BUILD)/tests/unit/%: private DEPFLAGS :=

# The README's test command: everything built, unit tests, then integration
# tests (natively where possible, inside the nested-KVM lab otherwise).
test: deps
	@$(MAKE) --no-print-directory all kernel image lab-assets unit fuzz-build debian-base
	@tests/run

# The long soak (make test runs a short one): 1000 OCI lifecycles of the
# runtime with random SIGKILLs, then nothing may be left on the host
# (container/tests/integration/soak.sh).
soak: deps
	@$(MAKE) --no-print-directory all image
	@ISOLAB_SOAK_CYCLES=$${ISOLAB_SOAK_CYCLES:-1000} tests/integration.sh container/tests/integration/soak.sh

# The seeds' claims, each shown by a measurement (demo/claims.sh).
demo: deps
	@$(MAKE) --no-print-directory all kernel image lab-assets
	@scripts/with-kvm $(CURDIR)/demo/claims.sh $(DEMO_ARGS)

lint: $(LINT_SOURCES)
	@scripts/lint.sh $(LINT_SOURCES)

# `make clean` keeps the expensive caches (guest kernel, lab kernel) and the
# fuzzers' grown corpus (build/fuzz/corpus).
clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-static $(BUILD)/obj-musl $(BUILD)/gen $(BUILD)/tests $(BUILD)/image \
	       $(PROGRAMS) $(STATIC_PROGRAMS) $(BUILD)/test-results \
	       $(BUILD)/fuzz/obj $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

distclean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/obj-static $(BUILD)/obj-musl -name '*.d' 2>/dev/null)
