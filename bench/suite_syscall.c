/*
 * suite_syscall.c: the probe's per-operation costs in each environment
 * (native, isolab-ctr, isolab-vmm, and QEMU microvm as the VM peer), and
 * each environment's median as a ratio to native's.
 *
 * The probe itself times each operation (batches of iterations, the
 * CLOCK_MONOTONIC of its own environment) and prints one JSON line:
 * every median/p5/p95 is over all its samples, "samples" holds the first
 * few raw values only (console bytes are VM exits).
 */
#include "bench/launch.h"
#include "bench/probe/probe.h"
#include "bench/results.h"
#include "bench/suites.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* isolab-ctr-unconfined: the seccomp filter's cost per system call. */
static const char *const syscall_systems[] = { "native", "isolab-ctr", "isolab-ctr-unconfined",
					       "isolab-vmm", "qemu-microvm" };

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

/* Probe op {"name","batch","median","p5","p95","raw"} -> results op entry. */
static cJSON *op_entry(const cJSON *op, double samples)
{
	cJSON *e = cJSON_CreateObject();
	const cJSON *raw = cJSON_GetObjectItemCaseSensitive(op, "raw");

	cJSON_AddStringToObject(e, "name", bench_json_string(op, "name", "?"));
	cJSON_AddStringToObject(e, "unit", "ns");
	cJSON_AddNumberToObject(e, "batch", bench_json_number(op, "batch", 0));
	cJSON_AddNumberToObject(e, "n", samples);
	cJSON_AddNumberToObject(e, "median", bench_json_number(op, "median", 0));
	cJSON_AddNumberToObject(e, "p5", bench_json_number(op, "p5", 0));
	cJSON_AddNumberToObject(e, "p95", bench_json_number(op, "p95", 0));
	cJSON_AddItemToObject(e, "samples", raw ? cJSON_Duplicate(raw, 1) : cJSON_CreateArray());
	return e;
}

static int run_ops(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
		   struct isolab_error *err)
{
	char samples[16];
	const char *args[] = { "ops", "--samples", samples, "--raw", "16", NULL };
	struct bench_launch l;
	cJSON *doc = NULL, *ops;
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
	if (rc < 0)
		return rc;
	ops = cJSON_AddArrayToObject(entry, "ops");
	cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(doc, "ops")) {
		cJSON_AddItemToArray(ops, op_entry(op, bench_json_number(doc, "samples", 0)));
	}
	cJSON_Delete(doc);
	return 0;
}

static const cJSON *find_op(const cJSON *entry, const char *name)
{
	const cJSON *op;

	cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(entry, "ops"))
		if (strcmp(bench_json_string(op, "name", ""), name) == 0)
			return op;
	return NULL;
}

/* One unit: sys's probe run, checkpointed before and after. */
static int measure_system(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
			  struct isolab_error *err)
{
	struct isolab_error e = { 0 };
	char unit[128];
	int rc;

	snprintf(unit, sizeof(unit), "syscall/%s", sys->name);
	if (bench_unit_skip(ctx, unit))
		return 0;
	if ((rc = bench_unit_begin(ctx, unit, err)) < 0)
		return rc;
	if (run_ops(ctx, sys, entry, &e) < 0 && !bench_stop_requested) {
		cJSON_ReplaceItemInObjectCaseSensitive(entry, "available", cJSON_CreateFalse());
		cJSON_ReplaceItemInObjectCaseSensitive(entry, "note", cJSON_CreateString(e.msg));
	}
	if (bench_stop_requested)
		return isolab_error_set(err, -EINTR, "interrupted");
	return bench_unit_end(ctx, unit, err);
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
			cJSON *r;

			if (b <= 0)
				continue;
			r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "system", bench_json_string(e, "name", ""));
			cJSON_AddStringToObject(r, "op", name);
			cJSON_AddNumberToObject(r, "ratio", m / b);
			cJSON_AddItemToArray(ratios, r);
		}
	}
}

int bench_suite_syscall(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err)
{
	int rc;

	bench_set_number(suite, "samples", ctx->args->samples);
	rc = bench_suite_each(ctx, suite, "syscall", syscall_systems,
			      sizeof(syscall_systems) / sizeof(syscall_systems[0]), measure_system, err);
	if (rc == 0)
		ratios_of(suite);
	return rc;
}
