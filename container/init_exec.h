/*
 * init_exec.h: starting the container's program, and the --init program,
 * without exposing the runtime.
 *
 * The runtime holds its static helper (init.c: the exec helper and the
 * init) as bytes (init_blob.S),
 * writes them into a memfd and seals it (F_SEAL_SEAL, F_SEAL_SHRINK,
 * F_SEAL_GROW, F_SEAL_WRITE), as runc does with its own binary against
 * CVE-2019-5736: the process that execs the container's program, and
 * the --init PID 1, run that memfd, which no one can write, and not the
 * host's isolab-ctr, which a process in the container could otherwise
 * open (or run, with `#!/proc/self/exe`). The helper is about 40 KiB (built
 * with musl), so this costs one small exec per container.
 */
#ifndef ISOLAB_CONTAINER_INIT_EXEC_H
#define ISOLAB_CONTAINER_INIT_EXEC_H

#include <sys/types.h>

#include "common/error.h"

/* A sealed, close-on-exec memfd holding the helper; fd or -errno. */
int ctr_helper_memfd(struct isolab_error *err);

/* Execs the init from memfd as `isolab-init COMMAND` with an empty
 * environment; returns only on failure (a negative errno). */
int ctr_init_exec(int memfd, pid_t command);

/* Execs the container's program through the helper in memfd (exec_shim.c):
 * sock, the runtime's socket, stays open across that one exec for a
 * failure report. Returns only on failure (a negative errno). */
int ctr_exec_via_helper(int memfd, int sock, char *const argv[], char *const envp[]);

#endif
