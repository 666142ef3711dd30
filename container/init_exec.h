/*
 * init_exec.h: starting the --init program (init.c) as the container's
 * PID 1 without exposing the runtime.
 *
 * The runtime holds the static init program as bytes (init_blob.S),
 * writes them into a memfd and seals it (F_SEAL_SEAL, F_SEAL_SHRINK,
 * F_SEAL_GROW, F_SEAL_WRITE), as runc does with its own binary against
 * CVE-2019-5736: the container's /proc/1/exe is that memfd, which no one
 * can write, and not the host's isolab-ctr, which a process in the
 * container could otherwise open (or run, with `#!/proc/self/exe`).
 */
#ifndef ISOLAB_CONTAINER_INIT_EXEC_H
#define ISOLAB_CONTAINER_INIT_EXEC_H

#include <sys/types.h>

#include "common/error.h"

/* A sealed, close-on-exec memfd holding the init program; fd or -errno. */
int ctr_init_memfd(struct isolab_error *err);

/* Execs the init from memfd as `isolab-init COMMAND` with an empty
 * environment; returns only on failure (a negative errno). */
int ctr_init_exec(int memfd, pid_t command);

#endif
