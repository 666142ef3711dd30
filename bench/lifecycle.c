/* lifecycle.c: the lifecycle suite's pure parts (see lifecycle.h). */
#include "bench/lifecycle.h"

#include <errno.h>
#include <limits.h>

const char *const bench_lc_phase_names[BENCH_LC_PHASES] = { "create", "start", "wait",
							    "delete", "total" };

int bench_lc_phases(const struct bench_lc_times *t, double ns[BENCH_LC_PHASES])
{
	const uint64_t seq[] = { t->create_spawn, t->create_exit, t->start_spawn, t->start_exit,
				 t->stopped, t->delete_spawn, t->delete_exit };
	size_t i;

	for (i = 1; i < sizeof(seq) / sizeof(seq[0]); i++)
		if (seq[i] < seq[i - 1])
			return -EINVAL;
	ns[BENCH_LC_CREATE] = (double)(t->create_exit - t->create_spawn);
	ns[BENCH_LC_START] = (double)(t->start_exit - t->start_spawn);
	ns[BENCH_LC_WAIT] = (double)(t->stopped - t->start_exit);
	ns[BENCH_LC_DELETE] = (double)(t->delete_exit - t->delete_spawn);
	ns[BENCH_LC_TOTAL] = (double)(t->delete_exit - t->create_spawn);
	return 0;
}

int bench_parse_pid(const char *text, pid_t *pid)
{
	long long v = 0;
	const char *p = text;

	if (p == NULL || *p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -EINVAL;
	}
	if (*p == '\n')
		p++;
	if (*p != '\0' || v <= 0)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}
