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
 */
#ifndef ISOLAB_BENCH_MEMSTAT_H
#define ISOLAB_BENCH_MEMSTAT_H

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

/* MemAvailable now, in bytes; -1 if unreadable. */
long long bench_mem_available(void);

#endif
