/*
 * run.h: running one container: state dir and cgroup, a single clone3 of
 * the child into every namespace (CLONE_INTO_CGROUP on cgroup v2), a
 * socketpair for "go" and for the child's timestamps and error messages
 * (crun's pattern), the wait, and the cleanup.
 */
#ifndef ISOLAB_CONTAINER_RUN_H
#define ISOLAB_CONTAINER_RUN_H

#include "common/error.h"
#include "container/config.h"
#include "container/stats.h"

#include "container/reap.h" /* CTR_EXIT_*, ctr_exit_status() */

/*
 * Runs the container to completion. Returns 0 and sets *status to the
 * command's exit status (128+N for signal N), or a negative errno with
 * err filled and *status set to 125, 126 or 127. stats is filled in both
 * cases. Leaves no mount, cgroup, state dir or owner record behind.
 * Callers sweep first (ctr_owner_sweep in owner.h).
 */
int ctr_run(struct ctr_config *cfg, int *status, struct ctr_stats *stats,
	    struct isolab_error *err);

#endif
