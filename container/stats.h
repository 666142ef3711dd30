/*
 * stats.h: what `--stats FILE.json` records about one run: phase times
 * (ns since the runtime process started, common/timing.h), the cgroup's
 * peak memory and OOM kills, and the exit status. The document is built
 * by a pure function and written atomically (common/jsonfile.h).
 */
#ifndef ISOLAB_CONTAINER_STATS_H
#define ISOLAB_CONTAINER_STATS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "container/keep_layer.h"

enum ctr_phase {
	CTR_PHASE_START,   /* configuration parsed, runtime work begins */
	CTR_PHASE_CGROUP,  /* cgroup created and limits written */
	CTR_PHASE_CLONE,   /* the child runs (its first instruction after clone3) */
	CTR_PHASE_MOUNTS,  /* child: every mount made, before the pivot */
	CTR_PHASE_PIVOT,   /* child: pivot_root done, old root detached */
	CTR_PHASE_EXEC,    /* child: about to execve the command */
	CTR_PHASE_EXIT,    /* parent: the command reaped */
	CTR_PHASE_CLEANUP, /* parent: cgroup, mounts and state dir removed */
	CTR_PHASE_COUNT,
};

extern const char *const ctr_phase_names[CTR_PHASE_COUNT];

struct ctr_stats {
	const char *id;
	const char *cgroup_mode;
	uint64_t phase_ns[CTR_PHASE_COUNT]; /* 0 = not reached */
	uint64_t memory_peak;
	const char *memory_peak_source;     /* NULL: unknown */
	uint64_t memory_limit;
	bool oom_killed;
	uint64_t oom_kills;
	int exit_status;
	const char *error;                  /* runtime error, or NULL */
	struct ctr_keep_counts kept;        /* --keep-layer: what was left out */
	char hook_warning[ISOLAB_ERROR_MSG_MAX]; /* a poststart/poststop hook's failure, or "" */
};

/* Builds the JSON document; NULL when out of memory. */
cJSON *ctr_stats_to_json(const struct ctr_stats *st);

int ctr_stats_write(const char *path, const struct ctr_stats *st, struct isolab_error *err);

#endif
