/*
 * suite_build.c: a fully cached rebuild of one Dockerfile (bench/build/,
 * ten instructions) by each builder of bench_builders (isolab build,
 * buildah bud --layers), and the ratio of their medians in the same run.
 *
 * Per builder, in a store of its own under the run's temp dir: the base
 * image (the image rootfs as bench:1), then one uncached build (unit
 * build/first/BUILDER: recorded as first_build, not part of the ratio; a
 * builder whose first build fails is listed unavailable with the reason),
 * then N rebuilds (units build/ROUND/BUILDER), round-robin over the
 * builders so slow drift of the machine spreads over both. A rebuild is
 * timed from just before posix_spawn() of the builder to its exit, and
 * counts only if its output shows every step after FROM taken from the
 * cache (build_check.h); otherwise it is a failure of its unit.
 * At the end every builder's store, containers and mounts are removed.
 */
#include "bench/build_check.h"
#include "bench/launch.h"
#include "bench/results.h"
#include "bench/spawn.h"
#include "bench/suites.h"
#include "common/timing.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Ratios reported when both builders have rebuilds: numerator / denominator. */
static const char *const ratio_pairs[][2] = {
	{ "isolab-build", "buildah" },
};

static size_t index_of(const struct bench_builder *b)
{
	return (size_t)(b - bench_builders);
}

/* One build by b; 0 with its wall-clock ns in *ns and its step count in *steps. */
static int build_once(struct bench_ctx *ctx, const struct bench_builder *b, cJSON *entry,
		      bool must_be_cached, double *ns, unsigned *steps, struct isolab_error *err)
{
	struct bench_build_steps s;
	struct bench_cmd cmd;
	struct bench_child c;
	char tail[300];
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	rc = b->command(ctx, &cmd, err);
	if (rc < 0)
		return isolab_error_wrap(err, "%s", b->name);
	if (cJSON_GetObjectItemCaseSensitive(entry, "command") == NULL) {
		char command[2048];

		bench_cmd_string(&cmd, command, sizeof(command));
		cJSON_AddStringToObject(entry, "command", command);
	}
	rc = bench_child_spawn(&c, cmd.argv, false, err);
	if (rc < 0)
		return isolab_error_wrap(err, "%s", b->name);
	rc = bench_child_finish(&c, isolab_now_ns() + (uint64_t)ctx->args->timeout_s * 1000000000ull);
	bench_child_tail(&c, tail, sizeof(tail));
	if (rc == -EINTR)
		rc = isolab_error_set(err, rc, "interrupted");
	else if (rc == -ETIMEDOUT)
		rc = isolab_error_set(err, rc, "%s: did not finish within %u s (killed); output: %s",
				      b->name, ctx->args->timeout_s, tail);
	else if (rc < 0)
		rc = isolab_error_errno(err, rc, "%s: reading output", b->name);
	else if (bench_child_exit_code(&c) != 0)
		rc = isolab_error_set(err, -EIO, "%s: exit status %d; output: %s", b->name,
				      bench_child_exit_code(&c), tail);
	else if (must_be_cached &&
		 bench_build_all_cached(c.out, b->step_prefix, b->cached_marker, err) < 0)
		rc = isolab_error_wrap(err, "%s: a rebuild that was not fully cached", b->name);
	if (rc == 0) {
		bench_build_steps(c.out ? c.out : "", b->step_prefix, b->cached_marker, &s);
		*ns = (double)(c.t_exit - c.t_start);
		*steps = s.total;
	}
	bench_child_release(&c);
	return rc;
}

/* The base image in b's store and its cache filled (resumed runs: an untimed build). */
static int make_ready(struct bench_ctx *ctx, const struct bench_builder *b, cJSON *entry,
		      bool *warm, struct isolab_error *err)
{
	size_t k = index_of(b);
	double ns;
	unsigned steps;
	int rc;

	if (!ctx->builder_ready[k]) {
		rc = b->prepare(ctx, err);
		if (rc < 0)
			return rc;
		ctx->builder_ready[k] = true;
	}
	if (*warm)
		return 0;
	rc = build_once(ctx, b, entry, false, &ns, &steps, err);
	if (rc == 0)
		*warm = true;
	return rc;
}

/* b's entry in suite (the one a resumed run has, else new), its head checked now. */
static cJSON *builder_entry(struct bench_ctx *ctx, cJSON *suite, const struct bench_builder *b)
{
	char note[ISOLAB_ERROR_MSG_MAX + 64] = "";
	bool ok = b->check(ctx, note, sizeof(note)) == 0;
	cJSON *e = bench_suite_entry_named(suite, b->name, "builder", ok, note);

	if (cJSON_GetObjectItemCaseSensitive(e, "failures") == NULL)
		cJSON_AddNumberToObject(e, "failures", 0);
	if (cJSON_GetObjectItemCaseSensitive(e, "rebuild") == NULL)
		cJSON_AddItemToObject(e, "rebuild", bench_summary_json(NULL, 0, "ns"));
	return e;
}

static void record_failure(cJSON *entry, const char *msg)
{
	bench_set_number(entry, "failures", bench_json_number(entry, "failures", 0) + 1);
	bench_set_string(entry, "last_error", msg);
}

/* Unit build/first/B: the base image, then the uncached build, timed. */
static int first_unit(struct bench_ctx *ctx, const struct bench_builder *b, cJSON *entry,
		      bool *warm, struct isolab_error *err)
{
	struct isolab_error e = { 0 };
	char unit[128];
	double ns = 0;
	unsigned steps = 0;
	int rc;

	snprintf(unit, sizeof(unit), "build/first/%s", b->name);
	if (bench_unit_skip(ctx, unit))
		return 0;
	rc = bench_unit_begin(ctx, unit, err);
	if (rc < 0)
		return rc;
	rc = 0;
	if (!ctx->builder_ready[index_of(b)]) {
		rc = b->prepare(ctx, &e);
		ctx->builder_ready[index_of(b)] = rc == 0;
	}
	if (rc == 0)
		rc = build_once(ctx, b, entry, false, &ns, &steps, &e);
	if (bench_stop_requested)
		return isolab_error_set(err, -EINTR, "interrupted");
	if (rc == 0) {
		*warm = true;
		cJSON_DeleteItemFromObjectCaseSensitive(entry, "first_build");
		bench_summary_append(entry, "first_build", ns, "ns");
		bench_set_number(entry, "steps", steps);
	} else {
		char note[ISOLAB_ERROR_MSG_MAX + 64];

		snprintf(note, sizeof(note), "the first (uncached) build failed: %s", e.msg);
		bench_entry_set_unavailable(entry, note);
	}
	return bench_unit_end(ctx, unit, err);
}

/* Unit build/ROUND/B: one cached rebuild, timed, checked to be all cache. */
static int rebuild_unit(struct bench_ctx *ctx, const struct bench_builder *b, cJSON *entry,
			unsigned round, bool *warm, struct isolab_error *err)
{
	struct isolab_error e = { 0 };
	char unit[128];
	double ns = 0;
	unsigned steps = 0;
	int rc;

	snprintf(unit, sizeof(unit), "build/%u/%s", round, b->name);
	if (bench_unit_skip(ctx, unit))
		return 0;
	rc = bench_unit_begin(ctx, unit, err);
	if (rc < 0)
		return rc;
	rc = make_ready(ctx, b, entry, warm, &e);
	if (rc == 0)
		rc = build_once(ctx, b, entry, true, &ns, &steps, &e);
	if (bench_stop_requested)
		return isolab_error_set(err, -EINTR, "interrupted");
	if (rc == 0)
		bench_summary_append(entry, "rebuild", ns, "ns");
	else
		record_failure(entry, e.msg);
	return bench_unit_end(ctx, unit, err);
}

/* The suite's ratios, from whatever medians its entries hold now. */
static void ratios_of(cJSON *suite)
{
	static const char *const keys[] = { "rebuild", "first_build" };
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems");

	cJSON_DeleteItemFromObjectCaseSensitive(suite, "ratios");
	cJSON_AddItemToObject(suite, "ratios",
			      bench_ratios_json(systems, ratio_pairs,
						sizeof(ratio_pairs) / sizeof(ratio_pairs[0]), keys, 2));
}

static int rounds(struct bench_ctx *ctx, cJSON **entry, bool *warm, struct isolab_error *err)
{
	unsigned runs = ctx->args->build_runs, i;
	size_t k;
	int rc = 0;

	for (k = 0; k < bench_builder_count && rc == 0 && !bench_stop_requested; k++) {
		if (entry[k] == NULL)
			continue;
		bench_progress(ctx, "build", bench_builders[k].name, 0, runs);
		rc = first_unit(ctx, &bench_builders[k], entry[k], &warm[k], err);
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry[k], "available")))
			entry[k] = NULL;
	}
	for (i = 0; i < runs && rc == 0 && !bench_stop_requested; i++)
		for (k = 0; k < bench_builder_count && rc == 0 && !bench_stop_requested; k++) {
			if (entry[k] == NULL)
				continue;
			bench_progress(ctx, "build", bench_builders[k].name, i + 1, runs);
			rc = rebuild_unit(ctx, &bench_builders[k], entry[k], i + 1, &warm[k], err);
		}
	return rc;
}

int bench_suite_build(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err)
{
	cJSON *entry[BENCH_MAX_BUILDERS] = { NULL };
	bool warm[BENCH_MAX_BUILDERS] = { false };
	size_t k;
	int rc;

	bench_set_number(suite, "runs", ctx->args->build_runs);
	bench_set_string(suite, "context", BENCH_BUILD_CONTEXT);
	bench_set_string(suite, "rebuild",
		"ns from just before posix_spawn() of the builder to its exit, rebuilding the "
		"unchanged context");
	bench_set_string(suite, "first_build",
		"the same for the first build into an empty cache (not part of the ratio)");
	for (k = 0; k < bench_builder_count && !bench_stop_requested; k++)
		if (bench_list_has(ctx->args->systems, bench_builders[k].name)) {
			entry[k] = builder_entry(ctx, suite, &bench_builders[k]);
			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry[k], "available")))
				entry[k] = NULL;
		}
	rc = rounds(ctx, entry, warm, err);
	for (k = 0; k < bench_builder_count; k++) {
		bench_builders[k].cleanup(ctx);
		ctx->builder_ready[k] = false;
	}
	rc = bench_suite_end(ctx, rc, err);
	ratios_of(suite);
	return rc;
}
