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
#include "bench/spawn.h"

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
	{ "isolab-ctr", "isolab-ctr-unconfined" }, /* the seccomp filter's cost */
	{ "isolab-ctr", "isolab-ctr-alldevices" }, /* the device policy's */
	{ "isolab-ctr", "isolab-ctr-unbounded" },  /* the default bounds' */
	{ "isolab-image", "isolab-ctr" },          /* the engine's and store's */
	{ "isolab-ctr", "unshare" },
	{ "isolab-ctr", "native" },
	{ "isolab-vmm", "isolab-ctr" },
};

static void add_time(void *arg, const char *name, double ns)
{
	bench_summary_append(arg, name, ns, "ns");
}

/* One start-up of sys; its samples go into entry (first_line, exit, stats_times). */
static int run_once(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
		    struct isolab_error *err)
{
	static const char *const args[] = { "start", NULL };
	struct bench_launch l;
	int rc;

	rc = bench_launch_start(ctx, sys, args, false, &l, err);
	if (rc == 0 && cJSON_GetObjectItemCaseSensitive(entry, "command") == NULL) {
		char command[2048];

		bench_cmd_string(&l.cmd, command, sizeof(command));
		cJSON_AddStringToObject(entry, "command", command);
	}
	if (rc == 0)
		rc = bench_launch_wait(ctx, &l, PROBE_START_LINE, err);
	if (rc == 0)
		rc = bench_launch_end(ctx, &l, err);
	if (rc == 0) {
		cJSON *times = cJSON_GetObjectItemCaseSensitive(entry, "stats_times");

		bench_summary_append(entry, "first_line", (double)(l.child.t_line - l.child.t_start), "ns");
		bench_summary_append(entry, "exit", (double)(l.child.t_exit - l.child.t_start), "ns");
		if (l.stats != NULL && times == NULL)
			times = cJSON_AddObjectToObject(entry, "stats_times");
		bench_stats_times(l.stats, add_time, times);
	}
	bench_launch_release(ctx, &l);
	return rc;
}

/* One unit: run i of sys, checkpointed before and after. */
static int run_unit(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
		    unsigned i, struct isolab_error *err)
{
	struct isolab_error e = { 0 };
	char unit[128];
	int rc;

	snprintf(unit, sizeof(unit), "startup/%u/%s", i, sys->name);
	if (bench_unit_skip(ctx, unit))
		return 0;
	rc = bench_unit_begin(ctx, unit, err);
	if (rc < 0)
		return rc;
	if (run_once(ctx, sys, entry, &e) < 0 && !bench_stop_requested) {
		bench_set_number(entry, "failures", bench_json_number(entry, "failures", 0) + 1);
		cJSON_DeleteItemFromObjectCaseSensitive(entry, "last_error");
		cJSON_AddStringToObject(entry, "last_error", e.msg);
	}
	if (bench_stop_requested)
		return isolab_error_set(err, -EINTR, "interrupted");
	return bench_unit_end(ctx, unit, err);
}

/* The suite's ratios, from whatever medians its entries hold now. */
static void ratios_of(cJSON *suite)
{
	static const char *const keys[] = { "first_line", "exit" };
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems");

	cJSON_DeleteItemFromObjectCaseSensitive(suite, "ratios");
	cJSON_AddItemToObject(suite, "ratios",
			      bench_ratios_json(systems, ratio_pairs,
						sizeof(ratio_pairs) / sizeof(ratio_pairs[0]), keys, 2));
}

int bench_suite_startup(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err)
{
	unsigned runs = ctx->args->runs, i;
	cJSON *entry[BENCH_MAX_SYSTEMS] = { NULL };
	size_t k, nuse = 0;
	int rc = 0;

	bench_set_number(suite, "runs", runs);
	bench_set_string(suite, "first_line",
		"ns from just before posix_spawn() of the launcher to isolab-bench having read the probe's first line");
	bench_set_string(suite, "exit",
		"ns from just before posix_spawn() of the launcher to the launcher's exit (pidfd readable)");
	for (k = 0; k < bench_system_count && !bench_stop_requested; k++) {
		const struct bench_system *sys = &bench_systems[k];

		if (!bench_system_selected(ctx, sys))
			continue;
		bench_progress(ctx, "startup", sys->name, 0, runs);
		entry[k] = bench_suite_entry(ctx, suite, sys);
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry[k], "available"))) {
			entry[k] = NULL;
			continue;
		}
		nuse++;
		if (cJSON_GetObjectItemCaseSensitive(entry[k], "failures") == NULL)
			cJSON_AddNumberToObject(entry[k], "failures", 0);
		if (cJSON_GetObjectItemCaseSensitive(entry[k], "first_line") == NULL)
			cJSON_AddItemToObject(entry[k], "first_line", bench_summary_json(NULL, 0, "ns"));
		if (cJSON_GetObjectItemCaseSensitive(entry[k], "exit") == NULL)
			cJSON_AddItemToObject(entry[k], "exit", bench_summary_json(NULL, 0, "ns"));
	}
	for (i = 0; i < runs && nuse > 0 && rc == 0 && !bench_stop_requested; i++)
		for (k = 0; k < bench_system_count && rc == 0 && !bench_stop_requested; k++) {
			if (entry[k] == NULL)
				continue;
			bench_progress(ctx, "startup", bench_systems[k].name, i + 1, runs);
			rc = run_unit(ctx, &bench_systems[k], entry[k], i + 1, err);
		}
	rc = bench_suite_end(ctx, rc, err);
	if (rc == 0)
		ratios_of(suite);
	return rc;
}
