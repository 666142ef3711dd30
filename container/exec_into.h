/*
 * exec_into.h: `isolab-ctr exec`: a new process in a running container
 * (runc exec): it joins the container's namespaces with setns(2) (the user
 * namespace first, the mount namespace last; the pid namespace through a
 * fork, since setns(CLONE_NEWPID) places only children), is moved into
 * its cgroup(s) before it runs anything, and gets what the container's
 * process got (child.h: rlimits, seccomp, capabilities, user,
 * no_new_privs, working directory) from cfg: the bundle's config.json, or
 * with --process its process object instead. The program is exec'd
 * through the sealed helper, as the container's own (init_exec.h). The
 * runtime waits for it (unless -d) and forwards it SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2, as `run` does. With cfg->tty the
 * process opens a terminal on the container's devpts (tty.h) and passes
 * its master back: sent to --console-socket with -d, else relayed to the
 * runtime's stdio as `run -t` does.
 */
#ifndef ISOLAB_CONTAINER_EXEC_INTO_H
#define ISOLAB_CONTAINER_EXEC_INTO_H

#include <stdbool.h>

#include "common/error.h"
#include "container/config.h"
#include "container/state.h"

struct ctr_exec_opts {
	bool detach;                /* -d: return once the program runs */
	const char *pid_file;       /* --pid-file */
	const char *console_socket; /* -t -d: where the terminal goes (else relayed) */
	unsigned preserve_fds;      /* fds 3 .. 3+N-1 stay open in the program */
};

/* Runs cfg->argv in the container s. Without detach, waits: *status is
 * the program's exit status (128+N for signal N). A failure before the
 * program ran: a negative errno, err filled, *status 125/126/127. */
int ctr_exec_into(const struct ctr_saved *s, const struct ctr_config *cfg,
		  const struct ctr_exec_opts *o, int *status, struct isolab_error *err);

#endif
