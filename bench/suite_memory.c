/*
 * suite_memory.c: the host memory one instance costs, and how far the host
 * goes: 1, 2, 4 ... instances held at once, up to --density-max (a VM
 * system: at most BENCH_DENSITY_MAX_VM) or until the next instance would
 * leave MemAvailable under the safety bound (memstat.h), or one fails.
 *
 * Every instance runs `probe hold`: it prints PROBE_READY_LINE and waits.
 * Figures (README "Memory"), taken SETTLE_MS after the ready line:
 *   instance_bytes: memstat.h's instance memory (RSS of the launcher tree
 *                   in our cgroup + usage of the container's cgroup);
 *   stats_bytes:    what the system's own --stats says (VMM: peak memory
 *                   excluding guest RAM + guest pages touched; isolab-ctr:
 *                   the cgroup's peak), read after it exits;
 *   mem_available_drop_bytes: MemAvailable before launch minus while held.
 *
 * The density sweep holds a pool of instances that grows from point to
 * point (the n of one point stay for the next), each instance started
 * once the one before is ready. Per point: DENSITY_READINGS MemAvailable
 * readings while the n are held (from SETTLE_MS after the last is ready),
 * against as many taken before the first instance, give the per-instance
 * memory with its spread; then
 * NEXT_START_SAMPLES times one more instance is started, timed to its
 * ready line (as the start-up suite times its first line) and let go:
 * the start-up of instance n + 1 while n run.
 */
#include "bench/launch.h"
#include "bench/memstat.h"
#include "bench/probe/probe.h"
#include "bench/results.h"
#include "bench/suites.h"
#include "common/timing.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SETTLE_MS 300
#define VM_SINGLE_HOLD_MS "3000"
/* A held instance lives while the pool grows to the sweep's end, which for
 * a hundred VMs in the lab takes many minutes (systems.c gives a held VM
 * the same hour); processes and containers end earlier on stdin EOF. */
#define HOLD_MS "3600000"
/*
 * MemAvailable readings per point (and before the sweep's first
 * instance), a second apart: the kernel folds its per-CPU page counters
 * into /proc/meminfo once per vm.stat_interval (1 s by default) or past a
 * threshold, so what it shows may lag by that long, and readings closer
 * together are not independent.
 */
#define DENSITY_READINGS 5
#define DENSITY_READING_GAP_MS 1000
/* Timed starts of instance n + 1 per point. */
#define NEXT_START_SAMPLES 3
/* Open files per held instance: its output pipe, its stdin pipe, its pidfd. */
#define FDS_PER_INSTANCE 3

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

/* The instances a sweep holds, and MemAvailable before the first of them. */
struct pool {
	struct bench_launch *l;
	unsigned n, cap;
	long long before[DENSITY_READINGS];
	/* The readings of the last point measured (at first: before), and its N. */
	long long last[DENSITY_READINGS];
	unsigned last_n;
};

/* How a density point ended. */
enum point_end { POINT_MEASURED, POINT_BOUND, POINT_FAILED };

static void pool_release(struct bench_ctx *ctx, struct pool *pool)
{
	unsigned i;

	for (i = 0; i < pool->n; i++)
		let_go(&pool->l[i], true);
	for (i = 0; i < pool->n; i++) {
		bench_child_finish(&pool->l[i].child, isolab_now_ns() + 30000000000ull);
		bench_launch_release(ctx, &pool->l[i]);
	}
	free(pool->l);
	memset(pool, 0, sizeof(*pool));
}

/* Starts one held instance into l and waits for its ready line; on failure l is released. */
static int start_held(struct bench_ctx *ctx, const struct bench_system *sys, struct bench_launch *l,
		      struct isolab_error *err)
{
	int rc = bench_launch_start(ctx, sys, hold_args(sys, false), sys->kind != BENCH_KIND_VM, l,
				    err);

	if (rc == 0)
		rc = bench_launch_wait(ctx, l, PROBE_READY_LINE, err);
	if (rc < 0) {
		let_go(l, true);
		bench_launch_release(ctx, l);
	}
	return rc;
}

/* n readings of MemAvailable, each DENSITY_READING_GAP_MS after the one before. */
static void read_available(long long *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sleep_ms(DENSITY_READING_GAP_MS);
		out[i] = bench_mem_available();
	}
}

/* The index of a held instance that has exited, or -1 if all still run. */
static int pool_dead(const struct pool *pool)
{
	unsigned i;

	for (i = 0; i < pool->n; i++) {
		struct pollfd p = { .fd = pool->l[i].child.pid_fd, .events = POLLIN };

		if (p.fd >= 0 && poll(&p, 1, 0) > 0)
			return (int)i;
	}
	return -1;
}

static cJSON *readings_json(const long long *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)v[i]));
	return a;
}

static double median_of(const long long *v, size_t n)
{
	double d[DENSITY_READINGS];
	size_t i;

	for (i = 0; i < n && i < DENSITY_READINGS; i++)
		d[i] = (double)v[i];
	return bench_median_in_place(d, i);
}

/* The per-instance median of the last measured point in entry, or -1. */
static double last_per_instance(const cJSON *entry)
{
	const cJSON *p;
	double last = -1;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(entry, "density"))
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "ok")))
			last = bench_json_number(p, "per_instance_bytes", -1);
	return last;
}

/* The pairs of n readings a and b as a summary object of (a - b) / count, without "ci95". */
static cJSON *per_instance_json(const long long *a, const long long *b, unsigned count)
{
	double pairs[DENSITY_READINGS * DENSITY_READINGS];
	int k = bench_density_per_instance(a, DENSITY_READINGS, b, DENSITY_READINGS, count, pairs,
					   sizeof(pairs) / sizeof(pairs[0]));
	cJSON *sum = bench_summary_json(pairs, k > 0 ? (size_t)k : 0, "bytes");

	/* The pairs share their readings: no bootstrap interval over them. */
	cJSON_DeleteItemFromObjectCaseSensitive(sum, "ci95");
	return sum;
}

/*
 * The memory figures of the pool's pool->n instances into point: per
 * instance against the readings before the first instance, and per
 * instance added since the last point (marginal: readings minutes apart
 * on a busy host drift less between neighbouring points).
 */
static void measure_point(struct pool *pool, cJSON *point)
{
	static pid_t pids[BENCH_MAX_DENSITY]; /* a pool holds at most --density-max */
	long long during[DENSITY_READINGS];
	struct bench_tree_memory tm = { 0 };
	cJSON *per;
	unsigned i;

	if (pool->n <= pool->last_n) /* density_point measures only new points */
		return;
	sleep_ms(SETTLE_MS);
	read_available(during, DENSITY_READINGS);
	for (i = 0; i < pool->n && i < BENCH_MAX_DENSITY; i++)
		pids[i] = pool->l[i].child.pid;
	bench_tree_memory_sum(pids, i, &tm);
	cJSON_AddItemToObject(point, "mem_available_before", readings_json(pool->before, DENSITY_READINGS));
	cJSON_AddItemToObject(point, "mem_available_during", readings_json(during, DENSITY_READINGS));
	cJSON_AddNumberToObject(point, "mem_available_after", median_of(during, DENSITY_READINGS));
	cJSON_AddNumberToObject(point, "mem_available_drop_bytes",
				median_of(pool->before, DENSITY_READINGS) - median_of(during, DENSITY_READINGS));
	per = per_instance_json(pool->before, during, pool->n);
	cJSON_AddNumberToObject(point, "per_instance_bytes", bench_json_number(per, "median", 0));
	cJSON_AddItemToObject(point, "per_instance", per);
	cJSON_AddItemToObject(point, "per_instance_marginal",
			      per_instance_json(pool->last, during, pool->n - pool->last_n));
	cJSON_AddNumberToObject(point, "marginal_from", pool->last_n);
	cJSON_AddNumberToObject(point, "instance_bytes_sum", (double)(tm.rss_bytes + tm.cgroup_bytes));
	memcpy(pool->last, during, sizeof(pool->last));
	pool->last_n = pool->n;
}

/*
 * NEXT_START_SAMPLES starts of one more instance while the pool's n are
 * held, each timed to its ready line and let go; stops early when one
 * more would not fit under the bound. A start that fails is returned.
 */
static int next_starts(struct bench_ctx *ctx, const struct bench_system *sys, long long estimate,
		       long long bound, cJSON *point, struct isolab_error *err)
{
	unsigned k;

	for (k = 0; k < NEXT_START_SAMPLES; k++) {
		struct bench_launch l;
		int rc;

		if (!bench_density_room(bench_mem_available(), estimate, bound))
			break;
		if ((rc = start_held(ctx, sys, &l, err)) < 0)
			return rc;
		bench_summary_append(point, "next_start_ns", (double)(l.child.t_line - l.child.t_start),
				     "ns");
		let_go(&l, true);
		bench_child_finish(&l.child, isolab_now_ns() + 30000000000ull);
		bench_launch_release(ctx, &l);
	}
	return 0;
}

/*
 * One density point: the pool grown to n instances (fewer when the next
 * would cross the safety bound: then measured at what runs, if more than
 * the last point), measured, and the next instance's start timed. Sets
 * the entry's "stopped" when the sweep ends here. Returns how it ended, or
 * -EINTR.
 */
static int density_point(struct bench_ctx *ctx, const struct bench_system *sys, unsigned n,
			 unsigned last_n, long long bound, struct pool *pool, cJSON *entry,
			 cJSON *point, struct isolab_error *err)
{
	long long estimate = bench_density_estimate(bench_json_number(entry, "instance_bytes", -1),
						    last_per_instance(entry));
	enum point_end end = POINT_MEASURED;
	char why[ISOLAB_ERROR_MSG_MAX + 96];
	int rc = 0, dead;

	if (pool->cap < n) /* sweep() made room for its largest point */
		return isolab_error_set(err, -EINVAL, "density: a point of %u over the pool's %u", n,
					pool->cap);
	if (pool->n == 0) {
		read_available(pool->before, DENSITY_READINGS);
		memcpy(pool->last, pool->before, sizeof(pool->last));
		pool->last_n = 0;
	}
	while (pool->n < n) {
		if (!bench_density_room(bench_mem_available(), estimate, bound)) {
			end = POINT_BOUND;
			break;
		}
		bench_progress(ctx, "memory", sys->name, pool->n + 1, n);
		if ((rc = start_held(ctx, sys, &pool->l[pool->n], err)) < 0)
			break;
		pool->n++;
	}
	if (bench_stop_requested)
		return isolab_error_set(err, -EINTR, "interrupted");
	if (rc < 0) {
		snprintf(why, sizeof(why), "instance failed: instance %u of %u: %s", pool->n + 1, n,
			 err->msg);
		end = POINT_FAILED;
	} else if ((dead = pool_dead(pool)) >= 0) {
		char tail[200];

		bench_child_tail(&pool->l[dead].child, tail, sizeof(tail));
		snprintf(why, sizeof(why), "instance failed: instance %d of %u exited while held; output: %s",
			 dead + 1, pool->n, tail[0] ? tail : "(none)");
		end = POINT_FAILED;
	}
	cJSON_AddNumberToObject(point, "instances", end == POINT_BOUND ? pool->n : n);
	if (end == POINT_FAILED) {
		cJSON_AddBoolToObject(point, "ok", false);
		cJSON_AddStringToObject(point, "error", why);
		bench_set_string(entry, "stopped", why);
		return POINT_FAILED;
	}
	if (end == POINT_BOUND) {
		bench_set_string(entry, "stopped", "safety bound");
		if (pool->n <= last_n)
			return POINT_BOUND; /* nothing new to measure: no point */
		cJSON_AddBoolToObject(point, "bound_reached", true);
	}
	cJSON_AddBoolToObject(point, "ok", true);
	measure_point(pool, point);
	if (next_starts(ctx, sys, estimate, bound, point, err) < 0) {
		if (bench_stop_requested)
			return isolab_error_set(err, -EINTR, "interrupted");
		snprintf(why, sizeof(why), "instance failed: instance %u (the next one): %s",
			 pool->n + 1, err->msg);
		cJSON_AddStringToObject(point, "next_start_error", err->msg);
		bench_set_string(entry, "stopped", why);
		return POINT_FAILED;
	}
	return end;
}

static bool in_density(const struct bench_system *sys)
{
	size_t i;

	for (i = 0; i < sizeof(density_systems) / sizeof(density_systems[0]); i++)
		if (strcmp(density_systems[i], sys->name) == 0)
			return true;
	return false;
}

/* The largest point of sys's sweep. */
static unsigned sweep_max(const struct bench_ctx *ctx, const struct bench_system *sys)
{
	unsigned max = ctx->args->density_max;

	return sys->kind == BENCH_KIND_VM && max > BENCH_DENSITY_MAX_VM ? BENCH_DENSITY_MAX_VM : max;
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
 * The sweep, one unit per point (memory/SYSTEM/density/N). It ends at its
 * largest point ("stopped": "max reached"), at the safety bound ("safety
 * bound"), or at an instance that failed ("instance failed: ..."), also in
 * a run that died during a point (the unit failed): a larger point would
 * ask more of the same host. A resumed run grows a fresh pool.
 */
static int sweep(struct bench_ctx *ctx, const struct bench_system *sys, cJSON *entry,
		 long long bound, struct isolab_error *err)
{
	cJSON *points = cJSON_GetObjectItemCaseSensitive(entry, "density");
	unsigned n, last_n = 0, max = sweep_max(ctx, sys);
	struct pool pool = { 0 };
	int rc = 0;

	if (points == NULL)
		points = cJSON_AddArrayToObject(entry, "density");
	bench_set_number(entry, "density_max", max);
	/* Once, for the largest point: a launch holds pointers into itself
	 * (its argv into its own store), so the pool never moves. */
	pool.l = calloc(max, sizeof(*pool.l));
	if (pool.l == NULL)
		return isolab_error_set(err, -ENOMEM, "density: out of memory for %u instances", max);
	pool.cap = max;
	for (n = bench_density_next(0, max); n != 0 && rc == 0; last_n = n, n = bench_density_next(n, max)) {
		struct isolab_error e = { 0 };
		char unit[128];
		cJSON *point;
		int end;

		if (cJSON_GetObjectItemCaseSensitive(entry, "stopped") != NULL)
			break;
		snprintf(unit, sizeof(unit), "memory/%s/density/%u", sys->name, n);
		switch (bench_unit_state(ctx->checkpoint->progress, unit)) {
		case BENCH_UNIT_FAILED: {
			char why[ISOLAB_ERROR_MSG_MAX + 96];

			snprintf(why, sizeof(why), "instance failed: the run stopped during the point of %u: %s",
				 n, bench_json_string(point_of(entry, n), "error", "?"));
			bench_set_string(entry, "stopped", why);
			break;
		}
		case BENCH_UNIT_DONE:
			break;
		case BENCH_UNIT_TODO:
			if ((rc = bench_unit_begin(ctx, unit, err)) < 0)
				break;
			point = cJSON_CreateObject();
			end = density_point(ctx, sys, n, last_n, bound, &pool, entry, point, &e);
			if (end < 0 || bench_stop_requested) {
				cJSON_Delete(point);
				rc = isolab_error_set(err, -EINTR, "interrupted");
				break;
			}
			if (cJSON_GetObjectItemCaseSensitive(point, "ok") != NULL)
				cJSON_AddItemToArray(points, point);
			else
				cJSON_Delete(point);
			if (end == POINT_MEASURED && bench_density_next(n, max) == 0)
				bench_set_string(entry, "stopped", "max reached");
			rc = bench_unit_end(ctx, unit, err);
			break;
		}
	}
	pool_release(ctx, &pool);
	return rc;
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
		return sweep(ctx, sys, entry, bench_density_safety_bound(bench_mem_total()), err);
	return 0;
}

/*
 * A thousand held instances need three thousand open files: the soft
 * limit goes up to the hard one (a start that still finds none fails and
 * ends that sweep, recorded).
 */
static void raise_open_files(unsigned instances)
{
	struct rlimit r;
	rlim_t want = (rlim_t)instances * FDS_PER_INSTANCE + 256;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < want) {
		r.rlim_cur = r.rlim_max < want ? r.rlim_max : want;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

int bench_suite_memory(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err)
{
	long long total = bench_mem_total();

	bench_set_number(suite, "density_max", ctx->args->density_max);
	bench_set_number(suite, "density_max_vm", BENCH_DENSITY_MAX_VM);
	bench_set_number(suite, "settle_ms", SETTLE_MS);
	bench_set_number(suite, "readings_per_point", DENSITY_READINGS);
	bench_set_number(suite, "next_start_samples", NEXT_START_SAMPLES);
	bench_set_number(suite, "mem_total_bytes", (double)total);
	bench_set_number(suite, "safety_bound_bytes", (double)bench_density_safety_bound(total));
	bench_set_string(suite, "safety_bound_rule", BENCH_DENSITY_BOUND_RULE);
	bench_set_number(suite, "vm_mem_bytes", (double)ctx->args->vm_mem);
	/* isolab-bench's own bookkeeping per held instance, inside every drop */
	bench_set_number(suite, "harness_bytes_per_instance", sizeof(struct bench_launch));
	raise_open_files(ctx->args->density_max + NEXT_START_SAMPLES);
	return bench_suite_each(ctx, suite, "memory", BENCH_SUITE_MEMORY, NULL, 0, measure_system,
				err);
}
