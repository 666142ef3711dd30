/*
 * lifecycle.h: the pure parts of the lifecycle suite (suite_lifecycle.c):
 * the phases of one `create`, `start`, wait, `delete` sequence from its
 * timestamps and the pid a runtime's --pid-file holds (the order of the
 * runtimes in a round: rounds.h). Unit-tested.
 */
#ifndef ISOLAB_BENCH_LIFECYCLE_H
#define ISOLAB_BENCH_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum bench_lc_phase {
	BENCH_LC_CREATE,  /* `RUNTIME create`: spawn to exit */
	BENCH_LC_START,   /* `RUNTIME start`: spawn to exit */
	BENCH_LC_WAIT,    /* start's exit to the container's process exited and reaped */
	BENCH_LC_DELETE,  /* `RUNTIME delete`: spawn to exit */
	BENCH_LC_TOTAL,   /* create's spawn to delete's exit */
	BENCH_LC_PHASES
};

/* "create", "start", "wait", "delete", "total": the results file's keys. */
extern const char *const bench_lc_phase_names[BENCH_LC_PHASES];

/* One sequence's CLOCK_MONOTONIC times (ns), in the order they are taken. */
struct bench_lc_times {
	uint64_t create_spawn, create_exit;
	uint64_t start_spawn, start_exit;
	uint64_t stopped;  /* the container's process seen exited (and reaped) */
	uint64_t delete_spawn, delete_exit;
};

/* ns[] from t; -EINVAL (ns untouched) when a time is before the one it follows. */
int bench_lc_phases(const struct bench_lc_times *t, double ns[BENCH_LC_PHASES]);

/* The pid in a --pid-file's text ("1234", an optional newline); -EINVAL otherwise. */
int bench_parse_pid(const char *text, pid_t *pid);

#endif
