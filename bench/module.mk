# bench/module.mk: the benchmark harness (build/isolab-bench), its workload
# (build/probe, static, copied into the shared image's /bin), their unit
# tests, and the README's `make bench` / `make bench-quick` targets.

PROBE_SRCS := bench/probe/probe.c bench/probe/ops.c bench/probe/netserve.c bench/stats.c
BENCH_CORE_SRCS := bench/stats.c bench/rounds.c bench/args.c bench/results.c bench/checkpoint.c bench/memstat.c bench/table.c \
                   bench/report_md.c bench/build_check.c bench/oci_config.c bench/lifecycle.c \
                   bench/merge.c bench/netstats.c
BENCH_SRCS := $(BENCH_CORE_SRCS) bench/env.c bench/spawn.c bench/systems.c bench/launch.c bench/plot.c bench/report.c \
              bench/gnuplot.c bench/plot_merge.c \
              bench/suite.c bench/suite_startup.c bench/suite_memory.c bench/suite_syscall.c \
              bench/suite_build.c bench/suite_lifecycle.c bench/suite_network.c \
              bench/netclient.c bench/main.c

$(BUILD)/probe: $(PROBE_SRCS:%.c=$(BUILD)/obj-static/%.o) $(COMMON_LIB_STATIC)
	@mkdir -p $(dir $@)
	$(CC) -static $(CFLAGS) -o $@ $^

$(BUILD)/isolab-bench: $(BENCH_SRCS:%.c=$(BUILD)/obj/%.o) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -lcjson -lm

$(BUILD)/tests/unit/bench: bench/tests/test_bench.c \
		$(BENCH_CORE_SRCS:%.c=$(BUILD)/obj/%.o) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ $^ -lcjson -lm $(CMOCKA_LIBS)

$(BUILD)/tests/unit/bench_checkpoint: bench/tests/test_checkpoint.c \
		$(BENCH_CORE_SRCS:%.c=$(BUILD)/obj/%.o) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ $^ -lcjson -lm $(CMOCKA_LIBS)

PROGRAMS        += $(BUILD)/isolab-bench
STATIC_PROGRAMS += $(BUILD)/probe
UNIT_TESTS      += $(BUILD)/tests/unit/bench $(BUILD)/tests/unit/bench_checkpoint
LINT_SOURCES    += $(PROBE_SRCS) $(BENCH_SRCS)

# `make bench` (after `make deps`, like `make test`): every suite, N=30, natively with /dev/kvm or in the lab,
# then the report. `make bench-quick`: the same with 3 runs and a density
# bound of 2 (under 5 minutes here, lab boot included).
bench: deps
	@$(MAKE) --no-print-directory all kernel image lab-assets
	@bench/run.sh full

bench-quick: deps
	@$(MAKE) --no-print-directory all kernel image lab-assets
	@bench/run.sh quick
