/*
 * lifecycle.h: the runtime-spec lifecycle across processes (runtime.md
 * "Operations"; runc's create, start, state, kill, delete, pause,
 * resume): one function each, over run.h's phases and state.h's record.
 * The commands (cmd_create.c, cmd_start.c, ...) are thin layers over it.
 *
 *   create  prepare, create, and the start phase up to the child's
 *           MSG_CREATED: it waits on exec.fifo; state.json written, the
 *           owner record handed to the container's process (owner.h), the
 *           pty master sent to --console-socket; then this process lets go
 *   start   opens exec.fifo and reads the child's byte: the program runs
 *   kill    a signal to the process (or, --all, to its whole cgroup)
 *   delete  the one delete path (run.h), with what state.json names
 *   pause   the cgroup freezer (v2 cgroup.freeze, v1 the freezer)
 *
 * Errors carry runc's words ("container does not exist" with the id,
 * "container not running", "cannot delete container ID that is not
 * stopped: running", ...).
 */
#ifndef ISOLAB_CONTAINER_LIFECYCLE_H
#define ISOLAB_CONTAINER_LIFECYCLE_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "common/error.h"
#include "container/config.h"
#include "container/state.h"

struct ctr_create_opts {
	const char *pid_file;        /* --pid-file: the process's pid, written atomically */
	const char *console_socket;  /* --console-socket: an AF_UNIX socket for the pty master */
	const cJSON *annotations;    /* config.json's, saved into state.json */
	const char *bundle;          /* absolute */
};

/* --pid-file (create, exec): the pid as text, written atomically. */
int ctr_pid_file_write(const char *path, int pid, struct isolab_error *err);
/* --console-socket: the pty master sent to the AF_UNIX socket path, as
 * runc's utils.SendFd (SCM_RIGHTS, the name "/dev/ptmx" as the data). */
int ctr_console_send(const char *path, int master, struct isolab_error *err);

/* cfg is loaded and prepared (cmd_create.c), its id new. */
int ctr_lifecycle_create(const struct ctr_config *cfg, const char *root,
			 const struct ctr_create_opts *o, struct isolab_error *err);
/* The record and the status now; ctr_saved_free(saved) after a success. */
int ctr_lifecycle_lookup(const char *root, const char *id, struct ctr_saved *saved,
			 enum ctr_status *status, struct isolab_error *err);
/* start and delete also run the poststart and poststop hooks (hooks.h):
 * their failure is no error but *warning (its code 0 when none). */
int ctr_lifecycle_start(const char *root, const char *id, struct isolab_error *warning,
			struct isolab_error *err);
int ctr_lifecycle_kill(const char *root, const char *id, int sig, bool all,
		       struct isolab_error *err);
/* A running or paused container only with force; a created one is killed
 * (as runc does). */
int ctr_lifecycle_delete(const char *root, const char *id, bool force,
			 struct isolab_error *warning, struct isolab_error *err);
/* pause (true) or resume (false). */
int ctr_lifecycle_pause(const char *root, const char *id, bool pause, struct isolab_error *err);

#endif
