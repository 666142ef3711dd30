/*
 * results.h: the results file (results/<env>/<UTC timestamp>.json).
 *
 * Layout (README "Results file"):
 *   { "format": "isolab-bench/1", "environment": {...},
 *     "suites": { "startup": {...}, "memory": {...}, "syscall": {...} } }
 * Every measured series is a "summary object":
 *   { "unit": "ns", "n": N, "median": .., "p5": .., "p95": .., "min": ..,
 *     "max": .., "mean": .., "ci95": [lo, hi] (n >= 3),
 *     "samples": [raw values in order taken] }
 */
#ifndef ISOLAB_BENCH_RESULTS_H
#define ISOLAB_BENCH_RESULTS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "bench/stats.h"
#include "common/error.h"

#define BENCH_RESULTS_FORMAT "isolab-bench/1"

/*
 * A summary object of n samples (n may be 0: then only unit, n, samples).
 * With at least BENCH_CI_MIN_N samples it has "ci95": [lo, hi], the
 * bootstrap interval of the median (stats.h, seed BENCH_CI_SEED); with
 * fewer, no "ci95".
 */
cJSON *bench_summary_json(const double *samples, size_t n, const char *unit);

/* obj[key] = [ci->lo, ci->hi], replacing what was there. */
void bench_add_ci95(cJSON *obj, const char *key, const struct bench_interval *ci);

/* Reads a [lo, hi] array (lo <= hi); -EINVAL if pair is not one. */
int bench_ci95_from_json(const cJSON *pair, struct bench_interval *out);

/*
 * The interval of median(a) / median(b) from the "samples" of two summary
 * objects (bench_ci_ratio, seed BENCH_CI_SEED); -EDOM with too few samples.
 */
int bench_ci_ratio_json(const cJSON *a, const cJSON *b, struct bench_interval *out);

/* Reads median/p5/p95/n of a summary object; -EINVAL if malformed. */
int bench_summary_from_json(const cJSON *obj, struct bench_summary *out);

/* Copies the "samples" array into a malloc'd array; returns count or -errno. */
int bench_samples_from_json(const cJSON *obj, double **out);

/* "results/lab/20261123T030400Z.json" into buf; -ENAMETOOLONG if it does not fit. */
int bench_results_path(char *buf, size_t size, const char *dir, const char *env,
		       time_t when);

/* mkdir -p dir/env; path_out gets the results path for `when`. */
int bench_results_prepare(const char *dir, const char *env, time_t when, char *path_out,
			  size_t path_size, struct isolab_error *err);

/* bench_results_prepare, then writes doc atomically at its path. */
int bench_results_write(const char *dir, const char *env, time_t when, const cJSON *doc,
			char *path_out, size_t path_size, struct isolab_error *err);

/* The newest DIR/<env>/<timestamp>.json (by timestamp, any env). */
int bench_results_newest(const char *dir, char *out, size_t size, struct isolab_error *err);

/*
 * Checks a results document's structure: format, environment block, every
 * suite present with its lists. Returns 0 or -EINVAL with what is wrong.
 */
int bench_results_check(const cJSON *doc, struct isolab_error *err);

/*
 * Appends v to the samples of the summary object obj[key] (created when
 * absent) and recomputes its median, percentiles, min, max and mean.
 */
void bench_summary_append(cJSON *obj, const char *key, double v, const char *unit);

/*
 * The ratios of medians a suite reports, from whatever its entries hold
 * now: for each pair (numerator, denominator) of entries of `systems`
 * (by name) that both have a positive median of keys[0] (a summary
 * object), {"name": "A/B", keys[i]: median / median} for each key, 0
 * where either side has none, and "ci95": {keys[i]: [lo, hi]} for each key
 * where both sides have at least BENCH_CI_MIN_N samples (bench_ci_ratio;
 * no "ci95" when no key has). The returned array is new (never NULL
 * unless out of memory).
 */
cJSON *bench_ratios_json(const cJSON *systems, const char *const (*pairs)[2], size_t npairs,
			 const char *const *keys, size_t nkeys);

/* obj[key] = value, replacing what was there. */
void bench_set_number(cJSON *obj, const char *key, double value);
void bench_set_string(cJSON *obj, const char *key, const char *value);
void bench_set_bool(cJSON *obj, const char *key, bool value);

/* Number helpers that tolerate absent keys (return def). */
double bench_json_number(const cJSON *obj, const char *key, double def);
const char *bench_json_string(const cJSON *obj, const char *key, const char *def);

#endif

/*
 * Walks a --stats document and reports every time it holds, in ns:
 * numeric members of objects named "phases", "markers" or "*_ns" (or
 * arrays of {"name", "ns"|"t_ns"|"time_ns"} there), and any numeric
 * member whose name ends in "_ns". Names are dotted paths
 * ("times_ns.vm_created", "markers.probe").
 */
typedef void (*bench_time_fn)(void *arg, const char *name, double ns);
void bench_stats_times(const cJSON *stats, bench_time_fn fn, void *arg);

/*
 * The memory one instance costs by its own --stats, in bytes: for
 * isolab-vmm memory.vmm_own_peak_bytes (peak excluding guest RAM) plus
 * memory.guest_pages_touched * memory.page_size; for isolab-ctr
 * memory.peak_bytes (the cgroup's peak). Negative if the document has none.
 */
double bench_stats_memory_bytes(const cJSON *stats);
