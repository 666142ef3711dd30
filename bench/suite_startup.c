/*
 * suite_startup.c: time from launch to the probe's first line, and to
 * exit, N times per system, in interleaved rounds (rounds.h: by default N
 * rounds of one run each, the systems' order shuffled each round) so slow
 * drift of the machine and run order spread over all of them. Each
 * system's first run (its trial, or one more) is a warm-up, discarded and
 * counted ("warmup").
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
#include "bench/rounds.h"
#include "bench/suites.h"
#include "bench/spawn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ratios reported when both systems ran: numerator / denominator. */
static const char *const ratio_pairs[][2] = {
	{ "isolab-vmm", "qemu-microvm" },
	{ "qemu-tcg", "qemu-microvm" },            /* software emulation against KVM */
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
	if (rc == 0 && bench_stop_requested)
		rc = isolab_error_set(err, -EINTR, "interrupted"); /* cut short: no sample */
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

/* bench_rounds' run: run `run` of the i-th system taking part. */
static int run_unit(struct bench_ctx *ctx, const struct bench_rounds *plan, size_t i,
		    unsigned run, struct isolab_error *err)
{
	return run_once(ctx, plan->sys[i], plan->entry[i], err);
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

/*
 * The warm-up of a system with runs left: one `probe start`, discarded and
 * counted. The trial run that bench_system_usable made just now is one
 * (trial_now); otherwise (the trial was made by an earlier suite) one more.
 */
static void warm_up(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
		    bool trial_now)
{
	struct isolab_error e = { 0 };

	if (!trial_now) {
		cJSON *scratch = cJSON_CreateObject();
		int rc;

		if (scratch == NULL)
			return;
		bench_progress(ctx, "startup", sys->name, 0, ctx->args->runs);
		rc = run_once(ctx, sys, scratch, &e);
		cJSON_Delete(scratch);
		if (rc < 0)
			return; /* not counted: the timed runs will say what fails */
	}
	bench_count_warmup(entry);
}

int bench_suite_startup(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err)
{
	unsigned runs = ctx->args->runs;
	struct bench_rounds plan = { .suite_name = "startup", .runs = runs, .run = run_unit };
	bool trial_now[BENCH_MAX_SYSTEMS] = { false };
	size_t k;
	int rc;

	plan.rounds = bench_rounds_for(ctx->args->rounds, runs, runs);
	plan.seed = bench_suite_seed(suite, ctx->args);
	bench_set_number(suite, "runs", runs);
	bench_set_string(suite, "first_line",
		"ns from just before posix_spawn() of the launcher to isolab-bench having read the probe's first line");
	bench_set_string(suite, "exit",
		"ns from just before posix_spawn() of the launcher to the launcher's exit (pidfd readable)");
	for (k = 0; k < bench_system_count && !bench_stop_requested; k++) {
		const struct bench_system *sys = &bench_systems[k];
		bool fresh = ctx->state[k] == 0; /* its trial run happens now */
		cJSON *entry;

		if (!bench_system_selected(ctx, sys) || !bench_system_in_suite(sys, BENCH_SUITE_STARTUP))
			continue;
		bench_progress(ctx, "startup", sys->name, 0, runs);
		entry = bench_suite_round_entry(ctx, suite, sys);
		if (entry == NULL)
			continue;
		if (cJSON_GetObjectItemCaseSensitive(entry, "first_line") == NULL)
			cJSON_AddItemToObject(entry, "first_line", bench_summary_json(NULL, 0, "ns"));
		if (cJSON_GetObjectItemCaseSensitive(entry, "exit") == NULL)
			cJSON_AddItemToObject(entry, "exit", bench_summary_json(NULL, 0, "ns"));
		trial_now[plan.n] = fresh;
		plan.sys[plan.n] = sys;
		plan.entry[plan.n++] = entry;
	}
	for (k = 0; k < plan.n && !bench_stop_requested; k++)
		if (bench_rounds_left(ctx, &plan, k))
			warm_up(ctx, plan.sys[k], plan.entry[k], trial_now[k]);
	rc = bench_suite_rounds(ctx, suite, &plan, err);
	rc = bench_suite_end(ctx, rc, err);
	if (rc == 0)
		ratios_of(suite);
	return rc;
}
