/*
 * suite_syscall.c: the probe's per-operation costs in each environment
 * (native, isolab-ctr, isolab-vmm, and QEMU microvm as the VM peer), and
 * each environment's median as a ratio to native's.
 *
 * The probe itself times each operation (batches of iterations, the
 * CLOCK_MONOTONIC of its own environment) and prints one JSON line:
 * every median/p5/p95 is over all its samples, "raw" the first few raw
 * values only (console bytes are VM exits). The suite runs the probe in
 * R interleaved rounds (rounds.h; R = --rounds, else 5), once per system
 * per round in a shuffled order, after one warm-up run per system
 * (discarded, counted in "warmup"). Per operation it keeps each run's
 * median ("run_medians", a summary object, so its median and "ci95" are
 * over runs), p5 and p95; the operation's median is the median of its
 * runs' medians, its p5/p95 the medians of its runs' p5/p95.
 */
#include "bench/launch.h"
#include "bench/probe/probe.h"
#include "bench/results.h"
#include "bench/rounds.h"
#include "bench/stats.h"
#include "bench/suites.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* isolab-ctr-unconfined: the seccomp filter's cost per system call. */
/* isolab-vmm-hostkernel: the VM on the kernel native runs (a same-kernel
 * ratio); qemu-tcg: the same guest emulated in software (type 2). */
static const char *const syscall_systems[] = { "native", "isolab-ctr", "isolab-ctr-unconfined",
					       "isolab-vmm", "isolab-vmm-hostkernel", "qemu-microvm",
					       "qemu-tcg" };

/* The probe's JSON line in the output: from `{"isolab_probe"` to the line end. */
static cJSON *find_probe_json(const char *out)
{
	const char *start = out ? strstr(out, "{\"" PROBE_JSON_KEY "\"") : NULL;
	char buf[65536];
	size_t n;

	if (start == NULL)
		return NULL;
	n = strcspn(start, "\r\n");
	if (n >= sizeof(buf))
		return NULL;
	memcpy(buf, start, n);
	buf[n] = '\0';
	return cJSON_Parse(buf);
}

static cJSON *find_op(const cJSON *entry, const char *name)
{
	cJSON *op;

	cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(entry, "ops"))
		if (strcmp(bench_json_string(op, "name", ""), name) == 0)
			return op;
	return NULL;
}

/* Appends v to the number array obj[key] (created when absent); returns its median. */
static double append_and_median(cJSON *obj, const char *key, double v)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
	const cJSON *x;
	double *vals;
	struct bench_summary s = { 0 };
	size_t n = 0;

	if (!cJSON_IsArray(arr))
		arr = cJSON_AddArrayToObject(obj, key);
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(v));
	vals = calloc((size_t)cJSON_GetArraySize(arr), sizeof(*vals));
	if (vals == NULL)
		return v;
	cJSON_ArrayForEach(x, arr)
		if (cJSON_IsNumber(x))
			vals[n++] = x->valuedouble;
	bench_summarize(vals, n, NULL, &s);
	free(vals);
	return s.median;
}

/*
 * One run's probe op {"name","batch","median","p5","p95","raw"} into the
 * entry's op of that name (created on its first run): the run's figures
 * appended, the op's median, p5, p95 and ci95 recomputed over its runs.
 */
static void merge_op(cJSON *entry, const cJSON *op, double samples)
{
	const char *name = bench_json_string(op, "name", "?");
	cJSON *e = find_op(entry, name), *raw_all;
	const cJSON *raw = cJSON_GetObjectItemCaseSensitive(op, "raw"), *v, *ci;
	cJSON *ops = cJSON_GetObjectItemCaseSensitive(entry, "ops");

	if (e == NULL) {
		if (!cJSON_IsArray(ops))
			ops = cJSON_AddArrayToObject(entry, "ops");
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", name);
		cJSON_AddStringToObject(e, "unit", "ns");
		cJSON_AddNumberToObject(e, "batch", bench_json_number(op, "batch", 0));
		cJSON_AddNumberToObject(e, "n", samples);
		cJSON_AddArrayToObject(e, "samples");
		cJSON_AddItemToArray(ops, e);
	}
	bench_summary_append(e, "run_medians", bench_json_number(op, "median", 0), "ns");
	bench_set_number(e, "runs", bench_json_number(cJSON_GetObjectItemCaseSensitive(e, "run_medians"), "n", 0));
	bench_set_number(e, "median", bench_json_number(cJSON_GetObjectItemCaseSensitive(e, "run_medians"),
							 "median", 0));
	bench_set_number(e, "p5", append_and_median(e, "run_p5", bench_json_number(op, "p5", 0)));
	bench_set_number(e, "p95", append_and_median(e, "run_p95", bench_json_number(op, "p95", 0)));
	ci = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "run_medians"), "ci95");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "ci95");
	if (ci != NULL)
		cJSON_AddItemToObject(e, "ci95", cJSON_Duplicate(ci, 1));
	raw_all = cJSON_GetObjectItemCaseSensitive(e, "samples");
	cJSON_ArrayForEach(v, raw) {
		cJSON_AddItemToArray(raw_all, cJSON_Duplicate(v, 1));
	}
}

/* The kernel the probe ran on and its mitigations (probe.c), from its first run. */
static void keep_kernel(cJSON *entry, const cJSON *doc)
{
	const char *keys[] = { "kernel", "mitigations" };

	for (size_t i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, keys[i]);

		if (v != NULL && cJSON_GetObjectItemCaseSensitive(entry, keys[i]) == NULL)
			cJSON_AddItemToObject(entry, keys[i], cJSON_Duplicate(v, 1));
	}
}

static int run_ops(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
		   struct isolab_error *err)
{
	char samples[16];
	const char *args[] = { "ops", "--samples", samples, "--raw", "16", NULL };
	struct bench_launch l;
	cJSON *doc = NULL;
	const cJSON *op;
	int rc;

	snprintf(samples, sizeof(samples), "%u", ctx->args->samples);
	rc = bench_launch_start(ctx, sys, args, false, &l, err);
	if (rc == 0)
		rc = bench_launch_wait(ctx, &l, "{\"" PROBE_JSON_KEY "\"", err);
	if (rc == 0)
		rc = bench_launch_end(ctx, &l, err);
	if (rc == 0) {
		doc = find_probe_json(l.child.out);
		if (doc == NULL)
			rc = isolab_error_set(err, -EPROTO, "%s: the probe's JSON line does not parse",
					      sys->name);
	}
	bench_launch_release(ctx, &l);
	if (rc == 0 && bench_stop_requested)
		rc = isolab_error_set(err, -EINTR, "interrupted"); /* cut short: no sample */
	if (rc < 0) {
		cJSON_Delete(doc);
		return rc;
	}
	cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(doc, "ops")) {
		merge_op(entry, op, bench_json_number(doc, "samples", 0));
	}
	keep_kernel(entry, doc);
	cJSON_Delete(doc);
	return 0;
}

/* bench_rounds' run: one probe run of the i-th system. */
static int run_unit(struct bench_ctx *ctx, const struct bench_rounds *plan, size_t i,
		    unsigned run, struct isolab_error *err)
{
	return run_ops(ctx, plan->sys[i], plan->entry[i], err);
}

/* The warm-up of a system with runs left: one probe run, discarded and counted. */
static void warm_up(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
		    unsigned runs)
{
	struct isolab_error e = { 0 };
	cJSON *scratch = cJSON_CreateObject();

	if (scratch == NULL)
		return;
	bench_progress(ctx, "syscall", sys->name, 0, runs);
	if (run_ops(ctx, sys, scratch, &e) == 0)
		bench_count_warmup(entry);
	cJSON_Delete(scratch);
}

/* Each system's medians as ratios to native's, from the entries as they are. */
static void ratios_of(cJSON *suite)
{
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems");
	const cJSON *native = bench_entry_by_name(systems, "native"), *e;
	cJSON *ratios;

	cJSON_DeleteItemFromObjectCaseSensitive(suite, "ratios");
	ratios = cJSON_AddArrayToObject(suite, "ratios");
	cJSON_ArrayForEach(e, systems) {
		const cJSON *op;

		if (native == NULL || e == native)
			continue;
		cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(e, "ops")) {
			const char *name = bench_json_string(op, "name", "");
			const cJSON *base = find_op(native, name);
			double m = bench_json_number(op, "median", 0);
			double b = base ? bench_json_number(base, "median", 0) : 0;
			struct bench_interval ci;
			cJSON *r;

			if (b <= 0)
				continue;
			r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "system", bench_json_string(e, "name", ""));
			cJSON_AddStringToObject(r, "op", name);
			cJSON_AddNumberToObject(r, "ratio", m / b);
			/* false: the two ran different kernels, so the ratio measures
			 * their configurations too, not the isolation alone */
			if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "kernel")) &&
			    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(native, "kernel")))
				cJSON_AddBoolToObject(r, "same_kernel",
						      strcmp(bench_json_string(e, "kernel", ""),
							     bench_json_string(native, "kernel", "")) == 0);
			/* over runs: each side's run medians resampled */
			if (bench_ci_ratio_json(cJSON_GetObjectItemCaseSensitive(op, "run_medians"),
						cJSON_GetObjectItemCaseSensitive(base, "run_medians"),
						&ci) == 0)
				bench_add_ci95(r, "ci95", &ci);
			cJSON_AddItemToArray(ratios, r);
		}
	}
}

int bench_suite_syscall(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err)
{
	struct bench_rounds plan = { .suite_name = "syscall", .run = run_unit };
	size_t k;
	int rc;

	plan.rounds = bench_rounds_for(ctx->args->rounds,
				       ctx->args->quick ? BENCH_QUICK_SYSCALL_ROUNDS : BENCH_SYSCALL_ROUNDS,
				       BENCH_MAX_RUNS);
	plan.runs = plan.rounds; /* one probe run per system per round */
	plan.seed = bench_suite_seed(suite, ctx->args);
	bench_set_number(suite, "samples", ctx->args->samples);
	bench_set_number(suite, "runs", plan.runs);
	for (k = 0; k < sizeof(syscall_systems) / sizeof(syscall_systems[0]) &&
		    !bench_stop_requested; k++) {
		const struct bench_system *sys = bench_system_find(syscall_systems[k]);
		cJSON *entry;

		if (sys == NULL || !bench_system_selected(ctx, sys))
			continue;
		bench_progress(ctx, "syscall", sys->name, 0, plan.runs);
		entry = bench_suite_round_entry(ctx, suite, sys);
		if (entry == NULL)
			continue;
		plan.sys[plan.n] = sys;
		plan.entry[plan.n++] = entry;
	}
	for (k = 0; k < plan.n && !bench_stop_requested; k++)
		if (bench_rounds_left(ctx, &plan, k))
			warm_up(ctx, plan.sys[k], plan.entry[k], plan.runs);
	rc = bench_suite_rounds(ctx, suite, &plan, err);
	rc = bench_suite_end(ctx, rc, err);
	if (rc == 0)
		ratios_of(suite);
	return rc;
}
