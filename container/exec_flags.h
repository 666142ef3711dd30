/*
 * exec_flags.h: runc exec's process flags (runc's exec.go, getProcess):
 * without --process, the new process is the bundle's process with
 *   CMD...              as its args,
 *   -e/--env K=V        appended to its environment (a key it has is
 *                       replaced: the last one wins, as runc's),
 *   --cwd DIR           as its working directory (absolute),
 *   -u/--user UID[:GID] as its user (the GID kept when none is given),
 *   --cap CAP           added to its bounding, effective and permitted
 *                       capabilities (not inheritable or ambient, as runc),
 *   --no-new-privs      no_new_privs set,
 *   -t/--tty            a terminal (without it, none: runc sets
 *                       process.terminal from -t alone).
 * With --process FILE, FILE's process object wins whole and these are
 * ignored, as runc does. --preserve-fds N (fds 3 .. 3+N-1 stay open in
 * the process), -d, --pid-file and --console-socket apply either way.
 * The parsing of each value and applying them to a configuration are pure.
 */
#ifndef ISOLAB_CONTAINER_EXEC_FLAGS_H
#define ISOLAB_CONTAINER_EXEC_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "container/config.h"

#define CTR_EXEC_MAX_ENV 256
#define CTR_EXEC_MAX_PRESERVE_FDS 1024

struct ctr_exec_flags {
	const char *env[CTR_EXEC_MAX_ENV]; /* "K=V", pointing into argv */
	size_t n_env;
	const char *cwd;
	bool has_user, has_gid;
	uint32_t uid, gid;
	uint64_t caps;                     /* bit per capability */
	bool no_new_privs;
	bool tty;
	unsigned preserve_fds;
};

/* Each flag's value, checked: 0, or -EINVAL with the flag, the value and
 * why ("--env `X`: not KEY=VALUE"). text must outlive f. */
int ctr_exec_flag_env(struct ctr_exec_flags *f, const char *text, struct isolab_error *err);
int ctr_exec_flag_cwd(struct ctr_exec_flags *f, const char *text, struct isolab_error *err);
int ctr_exec_flag_user(struct ctr_exec_flags *f, const char *text, struct isolab_error *err);
int ctr_exec_flag_cap(struct ctr_exec_flags *f, const char *text, struct isolab_error *err);
int ctr_exec_flag_preserve_fds(struct ctr_exec_flags *f, const char *text,
			       struct isolab_error *err);

/* The process flags above applied to cfg (the bundle's process): 0 or
 * -ENOMEM. */
int ctr_exec_flags_apply(const struct ctr_exec_flags *f, struct ctr_config *cfg,
			 struct isolab_error *err);

#endif
