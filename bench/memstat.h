/*
 * memstat.h: reading what an instance costs in host memory from /proc and
 * the cgroup file system. The text parsers are pure (unit-tested); the
 * readers are a thin layer over them.
 *
 * Instance memory (README "Memory"): over the launcher process and all its
 * descendants, the VmRSS of each process that is in isolab-bench's own
 * memory cgroup, plus, once per other memory cgroup they are in (the
 * container's), that cgroup's usage (v2 memory.current, v1
 * memory.usage_in_bytes).
 *
 * Also the density sweep's pure rules (suite_memory.c, README "Memory"):
 * its points, its safety bound on MemAvailable, and the per-instance
 * figures of a point from MemAvailable readings.
 */
#ifndef ISOLAB_BENCH_MEMSTAT_H
#define ISOLAB_BENCH_MEMSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define BENCH_CGROUP_V1 1
#define BENCH_CGROUP_V2 2

/*
 * From /proc/PID/cgroup text, the memory cgroup path: the v1 line with the
 * "memory" controller if there is one, else the v2 "0::" line. Returns
 * BENCH_CGROUP_V1 or _V2, or -ENOENT.
 */
int bench_parse_memory_cgroup(const char *text, char *path, size_t size);

/* VmRSS from /proc/PID/status text, in bytes; -1 if absent. */
long long bench_parse_status_rss(const char *text);

/* A field "Name:  N kB" from /proc/meminfo text, in bytes; -1 if absent. */
long long bench_parse_meminfo(const char *text, const char *field);

/* Parent pid from /proc/PID/stat text; -1 if malformed. */
pid_t bench_parse_stat_ppid(const char *text);

struct bench_tree_memory {
	long long rss_bytes;     /* processes in our own memory cgroup */
	long long cgroup_bytes;  /* other memory cgroups, each once */
	int processes;
	int cgroups;
};

/* Sums the instance memory of root and its descendants. */
int bench_tree_memory(pid_t root, struct bench_tree_memory *out);

/*
 * The same summed over n roots (each root's tree as above), from one walk
 * of /proc: a density point of a thousand instances reads /proc once, not
 * a thousand times.
 */
int bench_tree_memory_sum(const pid_t *roots, size_t n, struct bench_tree_memory *out);

/* MemAvailable now, in bytes; -1 if unreadable. */
long long bench_mem_available(void);

/* MemTotal, in bytes; -1 if unreadable. */
long long bench_mem_total(void);

/* ---- the density sweep (pure) ---- */

/*
 * The safety bound: a sweep starts no instance that would leave the host's
 * MemAvailable under max(BENCH_DENSITY_BOUND_MIN, MemTotal / 10), so the
 * host (and the lab's own kernel) keeps room to work. An unknown MemTotal
 * (negative) gives the minimum.
 */
#define BENCH_DENSITY_BOUND_MIN     (512ll << 20)
#define BENCH_DENSITY_BOUND_PERCENT 10
#define BENCH_DENSITY_BOUND_RULE    "max(512 MiB, 10% of MemTotal)"
long long bench_density_safety_bound(long long mem_total);

/*
 * The point after n of a sweep up to max: 1, 2, 4, 8 ..., and max itself
 * last (..., 512, 1000); bench_density_next(0, max) is the first point.
 * 0 when n >= max (the sweep is over) or max == 0.
 */
unsigned bench_density_next(unsigned n, unsigned max);

/*
 * Whether one more instance fits: MemAvailable now (available), less what
 * one instance is expected to take (per_instance, bytes; negative counts
 * as 0), stays at or above bound. An unreadable MemAvailable (negative)
 * never fits.
 */
bool bench_density_room(long long available, long long per_instance, long long bound);

/*
 * What one more instance is expected to take: the largest of what one
 * instance took alone (single, bytes; from the suite's single-instance
 * measurement) and the per-instance median of the last point (last);
 * negative values (unknown) are ignored; 0 if both are unknown.
 */
long long bench_density_estimate(double single, double last);

/*
 * The per-instance samples of a point of n instances: for every pair of a
 * MemAvailable reading before the first instance (before[0..nb-1]) and one
 * while the n are held (during[0..nd-1]), (before - during) / n; so the
 * spread holds the noise of both readings. Writes nb * nd values into out
 * (cap of them at most). Returns their count, or -EINVAL (n == 0, no
 * readings on a side, or out too small).
 */
int bench_density_per_instance(const long long *before, size_t nb, const long long *during,
			       size_t nd, unsigned n, double *out, size_t cap);

#endif
