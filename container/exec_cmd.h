/*
 * exec_cmd.h: exec the container's program as execvpe(3) would, but with
 * the container's PATH (glibc's would search the runtime's), and the
 * exit status Docker gives when it cannot: 127 not found, 126 not
 * executable, 125 anything else. Used by the exec helper (exec_shim.c),
 * which runs inside the container.
 */
#ifndef ISOLAB_CONTAINER_EXEC_CMD_H
#define ISOLAB_CONTAINER_EXEC_CMD_H

#include "common/error.h"

/* The PATH a container gets when its configuration sets none (Docker's). */
#define CTR_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Execs argv[0] (searched in envp's PATH, else CTR_DEFAULT_PATH, when it
 * has no slash) with envp. Returns only on failure: the exit status to
 * report, with err filled ("exec `CMD`: why"). */
int ctr_exec_command(char *const argv[], char *const envp[], struct isolab_error *err);

#endif
