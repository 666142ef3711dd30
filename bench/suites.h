/*
 * suites.h: the five suites. Each fills its part of the results document
 * ("suites": {"startup": ..., "memory": ..., "syscall": ..., "build": ...,
 * "lifecycle": ...}) unit by unit
 * (checkpoint.h), skipping the units a resumed run has already done, and
 * returns 0, or a negative code with err set when the run was interrupted
 * or its results file could not be written.
 * A system that cannot run here is listed with "available": false and a
 * note, never a failure of the suite.
 */
#ifndef ISOLAB_BENCH_SUITES_H
#define ISOLAB_BENCH_SUITES_H

#include <cjson/cJSON.h>
#include "bench/systems.h"

int bench_suite_startup(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);
int bench_suite_memory(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);
int bench_suite_syscall(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);
/* The builders of bench_builders, not the probe's systems: suite_build.c. */
int bench_suite_build(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);
/* The systems that are OCI runtimes, driven create, start, delete: suite_lifecycle.c. */
int bench_suite_lifecycle(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);

/* {"name", "kind", "available", "note"}: the common head of a system entry. */
cJSON *bench_system_entry(struct bench_ctx *ctx, const struct bench_system *sys);

/* suite's entry for sys: the one a resumed run already has, else a new one. */
cJSON *bench_suite_entry(struct bench_ctx *ctx, cJSON *suite, const struct bench_system *sys);

/*
 * suite's entry named name (the one a resumed run already has, else a new
 * one) with its head: kind, and "available"/"note" as ok and note say now
 * (an entry a resumed run has keeps its head unless it is unusable now).
 * For the suites whose units are not the probe's launches (build, lifecycle).
 */
cJSON *bench_suite_entry_named(cJSON *suite, const char *name, const char *kind, bool ok,
			       const char *note);

/* entry["available"] = false, entry["note"] = note. */
void bench_entry_set_unavailable(cJSON *entry, const char *note);

/*
 * For each selected system, in the order of names (count of them; NULL:
 * every system in bench_systems order): its entry in suite, then, if it is
 * available here, measure(). Stops at the first error. Ends as
 * bench_suite_end does.
 */
typedef int (*bench_measure_fn)(struct bench_ctx *ctx, const struct bench_system *sys,
				cJSON *entry, struct isolab_error *err);
int bench_suite_each(struct bench_ctx *ctx, cJSON *suite, const char *suite_name,
		     const char *const *names, size_t count, bench_measure_fn measure,
		     struct isolab_error *err);

/* A suite's last step: the progress line closed; -EINTR if a stop was asked. */
int bench_suite_end(struct bench_ctx *ctx, int rc, struct isolab_error *err);

#endif
