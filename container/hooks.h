/*
 * hooks.h: config.json's hooks (runtime-spec config.md "POSIX-platform
 * Hooks", runtime.md "Lifecycle"): programs the runtime runs at fixed
 * points, each with the container's state JSON on its stdin, its args and
 * env as given (none: an empty environment), killed after `timeout`
 * seconds.
 *
 *   prestart, createRuntime  the runtime's namespaces, once the
 *                            container's are made and its mounts done,
 *                            before pivot_root (run.c, on the child's
 *                            MSG_HOOKS); status "creating"
 *   createContainer          in the container's namespaces, same moment
 *                            (child.c), path in the runtime's file system
 *   startContainer           in the container, after `start`, before the
 *                            program; status "created"
 *   poststart                the runtime, once the program runs; "running"
 *   poststop                 the runtime, in `delete` (and `run`'s end);
 *                            "stopped"
 * A failing prestart, createRuntime, createContainer or startContainer
 * hook fails create (or start) and everything is cleaned up; poststart
 * and poststop failures are warnings, as runc has them.
 *
 * `create` keeps the hooks' text in the state dir (CTR_HOOKS_FILE) for
 * `start` and `delete`, as runc keeps its config in state.json.
 */
#ifndef ISOLAB_CONTAINER_HOOKS_H
#define ISOLAB_CONTAINER_HOOKS_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "common/error.h"
#include "container/config.h"

#define CTR_HOOKS_FILE "hooks.json"

/* "prestart", "createRuntime", ... Pure. */
const char *ctr_hook_kind_name(enum ctr_hook_kind kind);

/* config.json's "hooks" object into cfg->hooks (and its text into
 * cfg->hooks_json); -EINVAL with the field named. Pure. */
int ctr_hooks_from_json(const cJSON *hooks, struct ctr_config *cfg, struct isolab_error *err);

/* The same from hooks_json text (the state dir's copy). Pure. */
int ctr_hooks_from_text(const char *text, struct ctr_config *cfg, struct isolab_error *err);

/* state_json (runtime-spec state) with its status replaced; malloc'd,
 * NULL if state_json is not a JSON object or out of memory. Pure. */
char *ctr_hook_state(const char *state_json, const char *status);

/* ---- system (hooks_run.c) ---- */

/* Runs cfg's hooks of one kind in order with state on stdin; stops at the
 * first failure: -errno with err naming the hook (`hooks.prestart[0]
 * \`/bin/x\`: exit status 3`, `...: timed out after 2 s`). */
int ctr_hooks_run(const struct ctr_config *cfg, enum ctr_hook_kind kind, const char *state,
		  struct isolab_error *err);

#endif
