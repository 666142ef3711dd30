/*
 * suite_startup.c: time from launch to the probe's first line, and to
 * exit, N times per system, round-robin over systems so slow drift of the
 * machine spreads over all of them.
 *
 * Intervals (README "Start-up"), both from just before posix_spawn():
 *   first_line: until isolab-bench has read the probe's whole
 *               PROBE_START_LINE (for a VM: through the serial console
 *               the VMM writes to its stdout);
 *   exit:       until the launcher process (isolab-ctr, runc, the VMM,
 *               the probe itself) has exited.
 * For isolab-vmm, every time in its --stats (phases, boot markers, ns
 * since the VMM started) is kept and summarised too.
 */
#include "bench/launch.h"
#include "bench/probe/probe.h"
#include "bench/results.h"
#include "bench/suites.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ratios reported when both systems ran: numerator / denominator. */
static const char *const ratio_pairs[][2] = {
	{ "isolab-vmm", "qemu-microvm" },
	{ "isolab-ctr", "runc" },
	{ "isolab-ctr", "crun" },
	{ "isolab-ctr", "bwrap" },
	{ "isolab-ctr", "unshare" },
	{ "isolab-ctr", "native" },
	{ "isolab-vmm", "isolab-ctr" },
};

struct series {
	double *first, *exit;
	unsigned n, failures;
	char last_error[ISOLAB_ERROR_MSG_MAX];
	cJSON *times; /* name -> array of ns, from --stats */
	char command[2048];
};

cJSON *bench_system_entry(struct bench_ctx *ctx, const struct bench_system *sys)
{
	cJSON *e = cJSON_CreateObject();
	bool ok = bench_system_usable(ctx, sys);

	cJSON_AddStringToObject(e, "name", sys->name);
	cJSON_AddStringToObject(e, "kind", bench_kind_name(sys->kind));
	cJSON_AddBoolToObject(e, "available", ok);
	cJSON_AddStringToObject(e, "note", ok ? "" : bench_system_note(ctx, sys));
	return e;
}

static void add_time(void *arg, const char *name, double ns)
{
	cJSON *times = arg, *arr = cJSON_GetObjectItemCaseSensitive(times, name);

	if (arr == NULL)
		arr = cJSON_AddArrayToObject(times, name);
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(ns));
}

static int run_once(struct bench_ctx *ctx, const struct bench_system *sys, struct series *s,
		    struct isolab_error *err)
{
	static const char *const args[] = { "start", NULL };
	struct bench_launch l;
	int rc;

	rc = bench_launch_start(ctx, sys, args, false, &l, err);
	if (rc == 0 && s->command[0] == '\0')
		bench_cmd_string(&l.cmd, s->command, sizeof(s->command));
	if (rc == 0)
		rc = bench_launch_wait(ctx, &l, PROBE_START_LINE, err);
	if (rc == 0)
		rc = bench_launch_end(ctx, &l, err);
	if (rc == 0) {
		s->first[s->n] = (double)(l.child.t_line - l.child.t_start);
		s->exit[s->n] = (double)(l.child.t_exit - l.child.t_start);
		s->n++;
		bench_stats_times(l.stats, add_time, s->times);
	}
	bench_launch_release(ctx, &l);
	return rc;
}

static cJSON *summaries_of(const cJSON *times)
{
	cJSON *out = cJSON_CreateObject();
	const cJSON *arr;

	cJSON_ArrayForEach(arr, times) {
		double *v = NULL;
		int n = 0;
		const cJSON *x;

		v = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*v));
		if (v == NULL)
			continue;
		cJSON_ArrayForEach(x, arr)
			v[n++] = x->valuedouble;
		cJSON_AddItemToObject(out, arr->string, bench_summary_json(v, (size_t)n, "ns"));
		free(v);
	}
	return out;
}

static double median_of(const struct series *s, bool exit_time)
{
	struct bench_summary sum;

	if (s->n == 0 || bench_summarize(exit_time ? s->exit : s->first, s->n, NULL, &sum) < 0)
		return -1;
	return sum.median;
}

cJSON *bench_suite_startup(struct bench_ctx *ctx, struct isolab_error *err)
{
	unsigned runs = ctx->args->runs, i;
	struct series s[BENCH_MAX_SYSTEMS];
	bool use[BENCH_MAX_SYSTEMS] = { false };
	cJSON *suite = cJSON_CreateObject(), *systems, *ratios;
	size_t k, nuse = 0;
	int rc = 0;

	memset(s, 0, sizeof(s));
	cJSON_AddNumberToObject(suite, "runs", runs);
	cJSON_AddStringToObject(suite, "first_line",
		"ns from just before posix_spawn() of the launcher to isolab-bench having read the probe's first line");
	cJSON_AddStringToObject(suite, "exit",
		"ns from just before posix_spawn() of the launcher to the launcher's exit (pidfd readable)");
	for (k = 0; k < bench_system_count; k++) {
		const struct bench_system *sys = &bench_systems[k];

		use[k] = bench_system_selected(ctx, sys);
		if (!use[k])
			continue;
		bench_progress(ctx, "startup", sys->name, 0, runs);
		use[k] = bench_system_usable(ctx, sys);
		if (bench_stop_requested)
			break;
		if (!use[k])
			continue;
		s[k].first = calloc(runs, sizeof(double));
		s[k].exit = calloc(runs, sizeof(double));
		s[k].times = cJSON_CreateObject();
		if (s[k].first == NULL || s[k].exit == NULL) {
			rc = isolab_error_set(err, -ENOMEM, "startup: out of memory");
			goto out;
		}
		nuse++;
	}
	for (i = 0; i < runs && nuse > 0 && !bench_stop_requested; i++)
		for (k = 0; k < bench_system_count && !bench_stop_requested; k++) {
			struct isolab_error e = { 0 };

			if (!use[k])
				continue;
			bench_progress(ctx, "startup", bench_systems[k].name, i + 1, runs);
			if (run_once(ctx, &bench_systems[k], &s[k], &e) < 0) {
				s[k].failures++;
				snprintf(s[k].last_error, sizeof(s[k].last_error), "%s", e.msg);
			}
		}
	bench_progress_done(ctx);
	if (bench_stop_requested) {
		rc = isolab_error_set(err, -EINTR, "interrupted");
		goto out;
	}
	systems = cJSON_AddArrayToObject(suite, "systems");
	for (k = 0; k < bench_system_count; k++) {
		const struct bench_system *sys = &bench_systems[k];
		cJSON *e;

		if (!bench_system_selected(ctx, sys))
			continue;
		e = bench_system_entry(ctx, sys);
		cJSON_AddItemToArray(systems, e);
		if (!use[k])
			continue;
		cJSON_AddStringToObject(e, "command", s[k].command);
		cJSON_AddNumberToObject(e, "failures", s[k].failures);
		if (s[k].failures > 0)
			cJSON_AddStringToObject(e, "last_error", s[k].last_error);
		cJSON_AddItemToObject(e, "first_line", bench_summary_json(s[k].first, s[k].n, "ns"));
		cJSON_AddItemToObject(e, "exit", bench_summary_json(s[k].exit, s[k].n, "ns"));
		if (cJSON_GetArraySize(s[k].times) > 0)
			cJSON_AddItemToObject(e, "stats_times", summaries_of(s[k].times));
	}
	ratios = cJSON_AddArrayToObject(suite, "ratios");
	for (k = 0; k < sizeof(ratio_pairs) / sizeof(ratio_pairs[0]); k++) {
		const struct bench_system *a = bench_system_find(ratio_pairs[k][0]);
		const struct bench_system *b = bench_system_find(ratio_pairs[k][1]);
		size_t ia = (size_t)(a - bench_systems), ib = (size_t)(b - bench_systems);
		double fa = median_of(&s[ia], false), fb = median_of(&s[ib], false);
		double xa = median_of(&s[ia], true), xb = median_of(&s[ib], true);
		cJSON *r;
		char name[64];

		if (!use[ia] || !use[ib] || fa <= 0 || fb <= 0)
			continue;
		snprintf(name, sizeof(name), "%s/%s", a->name, b->name);
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", name);
		cJSON_AddNumberToObject(r, "first_line", fa / fb);
		cJSON_AddNumberToObject(r, "exit", xb > 0 ? xa / xb : 0);
		cJSON_AddItemToArray(ratios, r);
	}
out:
	for (k = 0; k < bench_system_count; k++) {
		free(s[k].first);
		free(s[k].exit);
		cJSON_Delete(s[k].times);
	}
	if (rc < 0) {
		cJSON_Delete(suite);
		return NULL;
	}
	return suite;
}
