/*
 * suite_memory.c: the host memory one instance costs, and how the host's
 * MemAvailable falls as 1, 2, 4 ... --density-max instances run at once.
 *
 * Every instance runs `probe hold`: it prints PROBE_READY_LINE and waits.
 * Figures (README "Memory"), taken SETTLE_MS after the ready line:
 *   instance_bytes: memstat.h's instance memory (RSS of the launcher tree
 *                   in our cgroup + usage of the container's cgroup);
 *   stats_bytes:    what the system's own --stats says (VMM: peak memory
 *                   excluding guest RAM + guest pages touched; isolab-ctr:
 *                   the cgroup's peak), read after it exits;
 *   mem_available_drop_bytes: MemAvailable before launch minus while held.
 */
#include "bench/launch.h"
#include "bench/memstat.h"
#include "bench/probe/probe.h"
#include "bench/results.h"
#include "bench/suites.h"
#include "common/timing.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SETTLE_MS 300
#define VM_SINGLE_HOLD_MS "3000"
#define HOLD_MS "600000"
/* Stop a density sweep before the host runs short of memory. */
#define MIN_AVAILABLE_BYTES (512ll << 20)

static const char *const density_systems[] = { "native", "isolab-ctr", "runc", "isolab-vmm",
					       "qemu-microvm" };

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !bench_stop_requested)
		;
}

static const char *const *hold_args(const struct bench_system *sys, bool single)
{
	static const char *const vm_single[] = { "hold", "--ms", VM_SINGLE_HOLD_MS, NULL };
	static const char *const vm_long[] = { "hold", "--ms", HOLD_MS, NULL };
	static const char *const other[] = { "hold", "--ms", HOLD_MS, "--stdin", NULL };

	if (sys->kind == BENCH_KIND_VM)
		return single ? vm_single : vm_long;
	return other;
}

/* Lets instances go: stdin EOF for processes/containers, SIGKILL for long-held VMs. */
static void let_go(struct bench_launch *l, bool kill_vm)
{
	if (l->child.in_fd >= 0) {
		close(l->child.in_fd);
		l->child.in_fd = -1;
	}
	if (kill_vm && l->sys->kind == BENCH_KIND_VM)
		bench_child_kill(&l->child, SIGKILL);
}

static int single_instance(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
			   struct isolab_error *err)
{
	struct bench_launch l;
	struct bench_tree_memory tm;
	long long before = bench_mem_available(), during;
	double stats_bytes;
	int rc;

	rc = bench_launch_start(ctx, sys, hold_args(sys, true), sys->kind != BENCH_KIND_VM, &l, err);
	if (rc == 0)
		rc = bench_launch_wait(ctx, &l, PROBE_READY_LINE, err);
	if (rc == 0) {
		sleep_ms(SETTLE_MS);
		during = bench_mem_available();
		bench_tree_memory(l.child.pid, &tm);
		let_go(&l, false);
		rc = bench_launch_end(ctx, &l, err);
	}
	if (rc == 0) {
		cJSON_AddNumberToObject(entry, "instance_bytes", (double)(tm.rss_bytes + tm.cgroup_bytes));
		cJSON_AddNumberToObject(entry, "rss_bytes", (double)tm.rss_bytes);
		cJSON_AddNumberToObject(entry, "cgroup_bytes", (double)tm.cgroup_bytes);
		cJSON_AddNumberToObject(entry, "processes", tm.processes);
		cJSON_AddNumberToObject(entry, "mem_available_drop_bytes", (double)(before - during));
		stats_bytes = bench_stats_memory_bytes(l.stats);
		if (stats_bytes >= 0)
			cJSON_AddNumberToObject(entry, "stats_bytes", stats_bytes);
		if (l.stats != NULL)
			cJSON_AddItemToObject(entry, "stats", cJSON_Duplicate(l.stats, 1));
	}
	bench_launch_release(ctx, &l);
	return rc;
}

/* One density point: n instances held at once. */
static int density_point(struct bench_ctx *ctx, const struct bench_system *sys, unsigned n,
			 cJSON *point, struct isolab_error *err)
{
	struct bench_launch *l = calloc(n, sizeof(*l));
	long long before = bench_mem_available(), during = 0, tree = 0;
	unsigned i, started = 0;
	int rc = 0;

	if (l == NULL)
		return isolab_error_set(err, -ENOMEM, "density: out of memory");
	/*
	 * One after another: each instance is started once the previous one is
	 * ready, so the point measures n instances held at once, not a storm
	 * of n boots (which, in the lab, QEMU 7.2's nested SVM does not always
	 * survive: lab/README.md).
	 */
	for (i = 0; i < n && rc == 0; i++) {
		bench_progress(ctx, "memory", sys->name, i + 1, n);
		rc = bench_launch_start(ctx, sys, hold_args(sys, false), sys->kind != BENCH_KIND_VM,
					&l[i], err);
		if (rc == 0) {
			started++;
			rc = bench_launch_wait(ctx, &l[i], PROBE_READY_LINE, err);
		}
	}
	if (rc == 0) {
		sleep_ms(SETTLE_MS);
		during = bench_mem_available();
		for (i = 0; i < started; i++) {
			struct bench_tree_memory tm;

			if (bench_tree_memory(l[i].child.pid, &tm) == 0)
				tree += tm.rss_bytes + tm.cgroup_bytes;
		}
	}
	for (i = 0; i < started; i++)
		let_go(&l[i], true);
	for (i = 0; i < started; i++) {
		bench_child_finish(&l[i].child, isolab_now_ns() + 30000000000ull);
		bench_launch_release(ctx, &l[i]);
	}
	free(l);
	cJSON_AddNumberToObject(point, "instances", n);
	cJSON_AddBoolToObject(point, "ok", rc == 0);
	if (rc < 0) {
		cJSON_AddStringToObject(point, "error", err->msg);
		return rc;
	}
	cJSON_AddNumberToObject(point, "mem_available_drop_bytes", (double)(before - during));
	cJSON_AddNumberToObject(point, "per_instance_bytes", (double)(before - during) / n);
	cJSON_AddNumberToObject(point, "instance_bytes_sum", (double)tree);
	return 0;
}

static bool in_density(const struct bench_system *sys)
{
	size_t i;

	for (i = 0; i < sizeof(density_systems) / sizeof(density_systems[0]); i++)
		if (strcmp(density_systems[i], sys->name) == 0)
			return true;
	return false;
}

/* The density point of n instances in entry's list, or NULL. */
static const cJSON *point_of(const cJSON *entry, unsigned n)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(entry, "density"))
		if (bench_json_number(p, "instances", 0) == n)
			return p;
	return NULL;
}

/*
 * The sweep 1, 2, 4 ... max, one unit per point. A point that failed (here,
 * or in a run that died during it) ends the system's sweep: a larger one
 * asks more of the same host.
 */
static int sweep(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
		 struct isolab_error *err)
{
	cJSON *points = cJSON_GetObjectItemCaseSensitive(entry, "density");
	unsigned n, max = ctx->args->density_max;
	int rc;

	if (points == NULL)
		points = cJSON_AddArrayToObject(entry, "density");
	for (n = 1; n <= max; n = n < max && n * 2 > max ? max : n * 2) {
		struct isolab_error e = { 0 };
		char unit[128];
		cJSON *point;
		int prc;

		snprintf(unit, sizeof(unit), "memory/%s/density/%u", sys->name, n);
		switch (bench_unit_state(ctx->checkpoint->progress, unit)) {
		case BENCH_UNIT_FAILED:
			return 0;
		case BENCH_UNIT_DONE:
			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(point_of(entry, n), "ok")))
				return 0;
			break;
		case BENCH_UNIT_TODO:
			if ((rc = bench_unit_begin(ctx, unit, err)) < 0)
				return rc;
			point = cJSON_CreateObject();
			prc = density_point(ctx, sys, n, point, &e);
			if (bench_stop_requested) {
				cJSON_Delete(point);
				return isolab_error_set(err, -EINTR, "interrupted");
			}
			cJSON_AddItemToArray(points, point);
			if (prc < 0) {
				char note[ISOLAB_ERROR_MSG_MAX + 64];

				snprintf(note, sizeof(note), "stopped: the point of %u instances failed: %s",
					 n, e.msg);
				bench_set_string(entry, "density_note", note);
			}
			if ((rc = bench_unit_end(ctx, unit, err)) < 0 || prc < 0)
				return rc;
			sleep_ms(500); /* let the host take the memory back */
			if (bench_mem_available() < MIN_AVAILABLE_BYTES) {
				bench_set_string(entry, "density_note", "stopped: host memory low");
				return 0;
			}
			break;
		}
		if (n == max)
			break;
	}
	return 0;
}

/* One system: its single instance (a unit), then its density sweep. */
static int measure_system(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
			  struct isolab_error *err)
{
	char unit[128];
	int rc;

	snprintf(unit, sizeof(unit), "memory/%s", sys->name);
	switch (bench_unit_state(ctx->checkpoint->progress, unit)) {
	case BENCH_UNIT_FAILED:
		return 0;
	case BENCH_UNIT_DONE:
		break;
	case BENCH_UNIT_TODO: {
		struct isolab_error e = { 0 };

		if ((rc = bench_unit_begin(ctx, unit, err)) < 0)
			return rc;
		if (single_instance(ctx, sys, entry, &e) < 0 && !bench_stop_requested)
			bench_set_string(entry, "error", e.msg);
		if (bench_stop_requested)
			return isolab_error_set(err, -EINTR, "interrupted");
		if ((rc = bench_unit_end(ctx, unit, err)) < 0)
			return rc;
		break;
	}
	}
	if (cJSON_GetObjectItemCaseSensitive(entry, "error") != NULL)
		return 0;
	if (in_density(sys) && ctx->args->density_max > 0)
		return sweep(ctx, sys, entry, err);
	return 0;
}

int bench_suite_memory(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err)
{
	bench_set_number(suite, "density_max", ctx->args->density_max);
	bench_set_number(suite, "settle_ms", SETTLE_MS);
	bench_set_number(suite, "vm_mem_bytes", (double)ctx->args->vm_mem);
	return bench_suite_each(ctx, suite, "memory", BENCH_SUITE_MEMORY, NULL, 0, measure_system,
				err);
}
