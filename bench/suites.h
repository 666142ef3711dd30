/*
 * suites.h: the three suites. Each fills its part of the results document
 * ("suites": {"startup": ..., "memory": ..., "syscall": ...}) unit by unit
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

/* {"name", "kind", "available", "note"}: the common head of a system entry. */
cJSON *bench_system_entry(struct bench_ctx *ctx, const struct bench_system *sys);

/* suite's entry for sys: the one a resumed run already has, else a new one. */
cJSON *bench_suite_entry(struct bench_ctx *ctx, cJSON *suite, const struct bench_system *sys);

#endif
