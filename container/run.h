/*
 * run.h: one container's life in the runtime, in the phases the OCI
 * lifecycle names (runtime-spec runtime.md; crun's libcrun/container.c):
 *
 *   prepare  the owner record (it reserves the id, owner.h), the cgroup
 *            and its device policy, the state dir, the sealed helper
 *            memfd (init_exec.h)
 *   create   a socket pair for the sync messages (crun's pattern), one
 *            clone3 of the child into every namespace (CLONE_INTO_CGROUP
 *            on cgroup v2), the cgroup attach (v1) and the id maps; the
 *            child (child.h) makes its mounts (with a user namespace: once
 *            "go" says the id maps are written) and waits for "go"
 *   start    "go", then the child's reports (child_msg.h: phase times, the
 *            pty, or the error that stopped it, with its errno) until EOF:
 *            its program runs
 *   wait     the terminal relay (-t), the exit status, the cgroup's
 *            memory peak and OOM kills
 *   delete   what is left of its processes, the state dir and its mounts,
 *            the cgroup, then the owner record
 *
 * One struct holds what a container has, and ctr_container_delete() is
 * the one path that releases it, whichever phase failed. The config is
 * only read. `isolab-ctr run` is all five phases in one process
 * (ctr_run). `isolab-ctr create` (lifecycle.h) marks the container
 * detached: its state dir is on the host and holds exec.fifo, the child
 * sets everything up and waits on that fifo (state.h), and the runtime
 * returns after the start phase's first report (ctr_container_detach);
 * a later process rebuilds the struct from state.json
 * (ctr_container_load) and deletes through the same path.
 */
#ifndef ISOLAB_CONTAINER_RUN_H
#define ISOLAB_CONTAINER_RUN_H

#include <cjson/cJSON.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/cgroup.h"
#include "container/config.h"
#include "container/rootfs.h"
#include "container/stats.h"
#include "container/tty.h"

#include "container/reap.h" /* CTR_EXIT_*, ctr_exit_status() */

struct ctr_container {
	const struct ctr_config *cfg;
	const char *state_root;     /* /run/isolab-ctr or --root */
	struct ctr_stats *stats;
	const char *owner_id;       /* set once the owner record is made */
	struct ctr_cgroup cg;
	struct ctr_state state;
	int helper_memfd;           /* the sealed helper, or -1 */
	int sock;                   /* the runtime's end of the sync socket, or -1 */
	int pidfd;                  /* the child's pidfd, or -1 */
	pid_t pid;                  /* the child until it is reaped, else -1 */
	struct ctr_tty tty;         /* -t: the pty master the child sent */
	/* The error the child reported (its message and errno), and the exit
	 * status it asked for; report.code is 0 when it reported none. */
	struct isolab_error report;
	int report_status;
	bool detached;              /* `create`: outlives this process (above) */
	bool created;               /* detached: the child said MSG_CREATED */
	int exec_fifo;              /* detached: O_PATH fd of exec.fifo, or -1 */
	const char *bundle;         /* for the hooks' state (hooks.h), or NULL */
	const cJSON *annotations;   /* the same */
};

/* The runtime-spec state of c's container with this status, for its
 * hooks (hooks.h); malloc'd, NULL when out of memory. */
char *ctr_container_hook_state(const struct ctr_container *c, const char *status);

/* Nothing held yet; the phases below fill c. */
void ctr_container_init(struct ctr_container *c, const struct ctr_config *cfg,
			const char *state_root, struct ctr_stats *stats);
int ctr_container_prepare(struct ctr_container *c, struct isolab_error *err);
/* On a failure once the child exists: kills it and reads its reports, so
 * that its own failure, when it had one, explains (ctr_container_wait). */
int ctr_container_create(struct ctr_container *c, struct isolab_error *err);
/* 0 once the program runs or the child reported a failure (c->report). */
int ctr_container_start(struct ctr_container *c, struct isolab_error *err);
/* Waits for the child; *status: its program's exit status (128+N for
 * signal N), or the status the child reported with its error, which is
 * then returned (with the child's errno). */
int ctr_container_wait(struct ctr_container *c, int *status, struct isolab_error *err);
/* `create`, once the child said MSG_CREATED and the state is saved:
 * tells the child it is on its own (child.h: it drops PR_SET_PDEATHSIG
 * and waits on exec.fifo), lets go of what this process holds (fds, the
 * forwarding) and removes nothing. */
void ctr_container_detach(struct ctr_container *c);
/* A detached container's struct, from its state dir's record: what
 * ctr_container_delete needs (cgroups, state dir, owner record). */
struct ctr_saved;
int ctr_container_load(struct ctr_container *c, const struct ctr_saved *saved,
		       const char *state_root, struct isolab_error *err);
/* Releases whatever c holds (the owner record last, and only once the rest
 * is gone: what stays is left to the next sweep). 0 or the first failure. */
int ctr_container_delete(struct ctr_container *c, struct isolab_error *err);

/* The runtime's forwarded signals (reap.h) go to pid (`run`'s container,
 * `exec`'s process), or (pid 0) take their default actions again. */
void ctr_forward_signals_to(pid_t pid);

/*
 * Runs the container to completion, its state under state_root. Returns 0
 * and sets *status to the command's exit status (128+N for signal N), or
 * a negative errno with err filled and *status set to 125, 126 or 127.
 * stats is filled in both cases. Leaves no mount, cgroup, state dir or
 * owner record behind. Callers sweep first (ctr_owner_sweep in owner.h)
 * and mark stats' CTR_PHASE_START.
 */
int ctr_run(const struct ctr_config *cfg, const char *state_root, int *status,
	    struct ctr_stats *stats, struct isolab_error *err);

#endif
