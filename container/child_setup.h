/*
 * child_setup.h: the parts of runtime-spec the container's first process
 * applies besides its mounts and credentials (child.c calls them):
 * linux.sysctl (sysctl.h), process.oomScoreAdj, process.user.umask,
 * linux.personality, and the hooks that run in the container (hooks.h:
 * createContainer, startContainer) with the state the runtime sends once
 * its own prestart and createRuntime hooks ran.
 */
#ifndef ISOLAB_CONTAINER_CHILD_SETUP_H
#define ISOLAB_CONTAINER_CHILD_SETUP_H

#include <stdbool.h>

#include "common/error.h"
#include "container/config.h"

/* Writes each linux.sysctl under the container's /proc/sys. */
int ctr_child_sysctls(const struct ctr_config *cfg, struct isolab_error *err);

/* oom_score_adj, personality and umask of this process (for `exec` too). */
int ctr_child_process_extras(const struct ctr_config *cfg, struct isolab_error *err);

/* Whether the child must stop for hooks: prestart, createRuntime,
 * createContainer or startContainer ones. Pure. */
bool ctr_child_has_hooks(const struct ctr_config *cfg);

/* Before pivot_root: MSG_HOOKS to the runtime, its ack (its hooks ran;
 * *state: the state JSON it sent, malloc'd), then the createContainer
 * hooks. A runtime that gives up (EOF) ends this process. */
int ctr_child_create_hooks(int sock, const struct ctr_config *cfg, char **state,
			   struct isolab_error *err);

/* The startContainer hooks, inside the container, status "created". */
int ctr_child_start_hooks(const struct ctr_config *cfg, const char *state,
			  struct isolab_error *err);

#endif
