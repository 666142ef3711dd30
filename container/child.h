/*
 * child.h: the container's first process, from clone3 to the exec of its
 * program (run.c clones it). In order: fds close-on-exec and a session of
 * its own; the file system (mounts.h) and devices; hostname, loopback,
 * terminal; the wait for the runtime's "go" (it has put the process in
 * its cgroup and written the id maps); rlimits, seccomp, capabilities,
 * user, no_new_privs, working directory; then the exec through the
 * sealed helper (init_exec.h). Any failure is sent to the runtime over
 * the sync socket, with its errno (child_msg.h), and ends the process.
 */
#ifndef ISOLAB_CONTAINER_CHILD_H
#define ISOLAB_CONTAINER_CHILD_H

#include <stdbool.h>

#include "container/cgroup.h"
#include "container/config.h"
#include "container/rootfs.h"

struct ctr_child_ctx {
	const struct ctr_config *cfg;
	struct ctr_state *state;
	enum ctr_cgroup_mode cgmode;
	bool unshare_cgroupns; /* not cloned into its cgroup: unshare after attach */
	int sock;              /* the child's end of the sync socket */
	int helper_memfd;      /* the sealed exec helper and init (init_exec.h) */
	/* `create`: the runtime exits before the program starts. Once set
	 * up the child says MSG_CREATED and waits for the runtime's "detach"
	 * (it has saved the state and handed over the owner record); only
	 * then does it drop PR_SET_PDEATHSIG (and acknowledge it: the runtime
	 * waits for that before it exits), so a runtime killed before that
	 * takes the child with it. Then it blocks opening exec_fifo (an
	 * O_PATH fd of <state dir>/exec.fifo) for writing until `start` opens
	 * it for reading (runc's design). */
	bool detached;
	int exec_fifo;
};

/* What the program runs with: rlimits, the seccomp filter, capabilities,
 * user, no_new_privs, working directory (also for `exec`, exec_into.h). */
int ctr_child_set_process(const struct ctr_config *cfg, struct isolab_error *err);
/* -t, in the process once in the container's root: a terminal on its
 * devpts is its stdio and controlling terminal (tty.h), the master sent
 * over sock (MSG_TTY) with process.consoleSize applied. exec uses it too. */
int ctr_child_open_terminal(int sock, const struct ctr_config *cfg, struct isolab_error *err);

/* Runs in the cloned child; never returns. */
__attribute__((noreturn)) void ctr_child_main(const struct ctr_child_ctx *c);

#endif
