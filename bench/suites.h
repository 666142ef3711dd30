/*
 * suites.h: the three suites. Each returns its part of the results
 * document ("suites": {"startup": ..., "memory": ..., "syscall": ...}), or
 * NULL with err set when the run was interrupted or could not go on.
 * A system that cannot run here is listed with "available": false and a
 * note, never a failure of the suite.
 */
#ifndef ISOLAB_BENCH_SUITES_H
#define ISOLAB_BENCH_SUITES_H

#include <cjson/cJSON.h>
#include "bench/systems.h"

cJSON *bench_suite_startup(struct bench_ctx *ctx, struct isolab_error *err);
cJSON *bench_suite_memory(struct bench_ctx *ctx, struct isolab_error *err);
cJSON *bench_suite_syscall(struct bench_ctx *ctx, struct isolab_error *err);

/* {"name", "kind", "available", "note"}: the common head of a system entry. */
cJSON *bench_system_entry(struct bench_ctx *ctx, const struct bench_system *sys);

#endif
