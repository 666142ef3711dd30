/* memstat.c: instance memory from /proc and cgroupfs (see memstat.h). */
#include "bench/memstat.h"
#include "common/procfs.h"
#include "common/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TREE 1024

/* Whether the comma list [p, end) holds "memory". */
static bool has_memory_controller(const char *p, const char *end)
{
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (n == 6 && strncmp(p, "memory", 6) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

int bench_parse_memory_cgroup(const char *text, char *path, size_t size)
{
	const char *line = text;
	const char *v2_path = NULL;
	size_t v2_len = 0;

	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;

		if (c2 != NULL) {
			size_t plen = len - (size_t)(c2 + 1 - line);

			if (c2 == c1 + 1 && c1 == line + 1 && line[0] == '0') {
				v2_path = c2 + 1;
				v2_len = plen;
			} else if (has_memory_controller(c1 + 1, c2)) {
				snprintf(path, size, "%.*s", (int)plen, c2 + 1);
				return BENCH_CGROUP_V1;
			}
		}
		line = end ? end + 1 : NULL;
	}
	if (v2_path == NULL)
		return -ENOENT;
	snprintf(path, size, "%.*s", (int)v2_len, v2_path);
	return BENCH_CGROUP_V2;
}

long long bench_parse_meminfo(const char *text, const char *field)
{
	return isolab_procfs_field(text, field);
}

long long bench_parse_status_rss(const char *text)
{
	return bench_parse_meminfo(text, "VmRSS");
}

pid_t bench_parse_stat_ppid(const char *text)
{
	const char *p = isolab_proc_stat_field(text, 4);
	char *end;
	long ppid;

	if (p == NULL)
		return -1;
	ppid = strtol(p, &end, 10);
	if (end == p || ppid < 0)
		return -1;
	return (pid_t)ppid;
}

/* A small text file whole, NUL-terminated: its length (0 when empty), or -errno. */
static ssize_t read_text(const char *path, char *buf, size_t size)
{
	int rc = isolab_read_text(path, buf, size);

	return rc < 0 ? rc : (ssize_t)strlen(buf);
}

/* A field of /proc/meminfo now, in bytes; -1 if unreadable. */
static long long meminfo_now(const char *field)
{
	char buf[8192] = { 0 };

	if (read_text("/proc/meminfo", buf, sizeof(buf)) < 0)
		return -1;
	return bench_parse_meminfo(buf, field);
}

long long bench_mem_available(void)
{
	return meminfo_now("MemAvailable");
}

long long bench_mem_total(void)
{
	return meminfo_now("MemTotal");
}

static int cgroup_of(pid_t pid, char *path, size_t size)
{
	char file[64], buf[4096] = { 0 };

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	if (read_text(file, buf, sizeof(buf)) < 0)
		return -ENOENT;
	return bench_parse_memory_cgroup(buf, path, size);
}

static long long cgroup_usage(int version, const char *path)
{
	char file[4200], buf[64] = { 0 };

	if (version == BENCH_CGROUP_V1)
		snprintf(file, sizeof(file), "/sys/fs/cgroup/memory%s/memory.usage_in_bytes", path);
	else
		snprintf(file, sizeof(file), "/sys/fs/cgroup%s/memory.current", path);
	if (read_text(file, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Every process now: its pid and its parent's (one walk of /proc). */
struct proc_table {
	pid_t *pid, *ppid;
	size_t n, cap;
};

static void proc_table_free(struct proc_table *t)
{
	free(t->pid);
	free(t->ppid);
}

static int proc_table_read(struct proc_table *t)
{
	DIR *d = opendir("/proc");
	const struct dirent *e;

	memset(t, 0, sizeof(*t));
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		char file[64], buf[1024] = { 0 };
		pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);

		if (pid <= 0)
			continue;
		snprintf(file, sizeof(file), "/proc/%d/stat", (int)pid);
		if (read_text(file, buf, sizeof(buf)) <= 0)
			continue;
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 1024;
			pid_t *a = realloc(t->pid, cap * sizeof(*a)), *b;

			if (a != NULL)
				t->pid = a;
			b = a ? realloc(t->ppid, cap * sizeof(*b)) : NULL;
			if (b == NULL) {
				closedir(d);
				proc_table_free(t);
				return -ENOMEM;
			}
			t->ppid = b;
			t->cap = cap;
		}
		t->pid[t->n] = pid;
		t->ppid[t->n++] = bench_parse_stat_ppid(buf);
	}
	closedir(d);
	return 0;
}

/* The pids of root and its descendants (breadth first over the table). */
static int tree_pids(const struct proc_table *t, pid_t root, pid_t *pids, int max)
{
	int n = 1, i;
	size_t j;

	pids[0] = root;
	for (i = 0; i < n; i++)
		for (j = 0; j < t->n && n < max; j++)
			if (t->ppid[j] == pids[i])
				pids[n++] = t->pid[j];
	return n;
}

/* Adds the instance memory of root's tree to out. */
static void tree_add(const struct proc_table *t, pid_t root, const char *own, int own_version,
		     struct bench_tree_memory *out)
{
	static pid_t pids[MAX_TREE];
	static char seen[16][4096];
	int n = tree_pids(t, root, pids, MAX_TREE), i, nseen = 0;

	for (i = 0; i < n; i++) {
		char file[64], buf[4096] = { 0 }, cg[4096] = { 0 };
		int version = cgroup_of(pids[i], cg, sizeof(cg)), k;
		long long rss;

		snprintf(file, sizeof(file), "/proc/%d/status", (int)pids[i]);
		if (read_text(file, buf, sizeof(buf)) <= 0)
			continue;
		out->processes++;
		if (version < 0 || (version == own_version && strcmp(cg, own) == 0)) {
			rss = bench_parse_status_rss(buf);
			if (rss > 0)
				out->rss_bytes += rss;
			continue;
		}
		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k], cg) == 0)
				break;
		if (k < nseen || nseen >= 16)
			continue;
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", cg);
		rss = cgroup_usage(version, cg);
		if (rss > 0) {
			out->cgroup_bytes += rss;
			out->cgroups++;
		}
	}
}

int bench_tree_memory_sum(const pid_t *roots, size_t n, struct bench_tree_memory *out)
{
	struct proc_table t;
	char own[4096];
	int own_version, rc;
	size_t i;

	memset(out, 0, sizeof(*out));
	own_version = cgroup_of(getpid(), own, sizeof(own));
	if ((rc = proc_table_read(&t)) < 0)
		return rc;
	for (i = 0; i < n; i++)
		tree_add(&t, roots[i], own, own_version, out);
	proc_table_free(&t);
	return 0;
}

int bench_tree_memory(pid_t root, struct bench_tree_memory *out)
{
	return bench_tree_memory_sum(&root, 1, out);
}

/* ---- the density sweep (pure) ---- */

long long bench_density_safety_bound(long long mem_total)
{
	long long share = mem_total > 0 ? mem_total / 100 * BENCH_DENSITY_BOUND_PERCENT : 0;

	return share > BENCH_DENSITY_BOUND_MIN ? share : BENCH_DENSITY_BOUND_MIN;
}

unsigned bench_density_next(unsigned n, unsigned max)
{
	if (n >= max)
		return 0;
	if (n == 0)
		return 1;
	return n > max / 2 ? max : n * 2;
}

bool bench_density_room(long long available, long long per_instance, long long bound)
{
	if (available < 0)
		return false;
	return available - (per_instance > 0 ? per_instance : 0) >= bound;
}

long long bench_density_estimate(double single, double last)
{
	double v = single > last ? single : last;

	return v > 0 ? (long long)v : 0;
}

int bench_density_per_instance(const long long *before, size_t nb, const long long *during,
			       size_t nd, unsigned n, double *out, size_t cap)
{
	size_t i, j, k = 0;

	if (n == 0 || nb == 0 || nd == 0 || nb > cap / nd)
		return -EINVAL;
	for (i = 0; i < nb; i++)
		for (j = 0; j < nd; j++)
			out[k++] = (double)(before[i] - during[j]) / n;
	return (int)k;
}
