/*
 * cmdline.h: what a container of an image runs, as Docker decides it --
 * the program and its arguments (ENTRYPOINT, CMD, `run --entrypoint` and
 * the command line's arguments), its environment (image Env, `-e`), and
 * the uid/gid its User names (resolved against the image's /etc/passwd
 * and /etc/group, given as text). Pure code: the caller reads the files.
 */
#ifndef ISOLAB_ENGINE_CMDLINE_H
#define ISOLAB_ENGINE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "engine/lib/image_json.h"

/* What `run` was given on top of the image. */
struct eng_run_override {
	bool set_entrypoint;     /* --entrypoint was given */
	const char *entrypoint;  /* its value; "" clears the image's Entrypoint */
	char *const *args;       /* the arguments after the image: replace Cmd */
	size_t n_args;
};

/* The argv a container runs (malloc'd, NULL-terminated; free with
 * eng_strv_free). c may be NULL (an image without a config section).
 * Moby's rules (daemon/commit.go merge(), daemon/create.go
 * mergeAndVerifyConfig()):
 *   - argv = Entrypoint + Cmd;
 *   - arguments on the command line replace the image's Cmd;
 *   - --entrypoint X makes the Entrypoint [X] and drops the image's Cmd:
 *     only command-line arguments follow it;
 *   - --entrypoint "" drops the image's Entrypoint and Cmd too: the
 *     command-line arguments alone are the command;
 *   - nothing left is -EINVAL "no command: the image has no Entrypoint or
 *     Cmd and none was given". */
int eng_cmdline_resolve(const struct eng_image_config *c, const struct eng_run_override *o,
			char ***argv_out, size_t *argc_out, struct isolab_error *err);

/* What `run` was given for the environment. */
struct eng_env_request {
	char *const *opts;        /* -e values in order: "K=V", or "K" */
	size_t n_opts;
	char *const *caller_env;  /* NULL-terminated (environ): where "-e K" reads K */
	const char *hostname;     /* HOSTNAME=, or NULL for none */
	bool tty;                 /* -t: TERM=xterm */
};

/* The environment of a container (malloc'd, NULL-terminated; free with
 * eng_strv_free), in Docker's order (container/container.go
 * CreateDaemonEnvironment, daemon/commit.go merge()):
 *   PATH (CTR_DEFAULT_PATH unless the image or -e sets one),
 *   HOSTNAME, TERM (-t), then the -e variables, then the image's Env
 *   variables no -e names. A variable given twice keeps its first place
 *   and its last value. "-e K" takes K's value from caller_env; when the
 *   caller has no K, K is left out altogether (the image's K too). An
 *   option with an empty name ("=x") is -EINVAL "environment `=x`: empty
 *   variable name". */
int eng_env_resolve(const struct eng_image_config *c, const struct eng_env_request *rq,
		    char ***env_out, size_t *n_out, struct isolab_error *err);

/* Frees a NULL-terminated vector of strings and the strings (NULL ok). */
void eng_strv_free(char **v);

/* Resolves Docker's User forms -- "", "name", "uid", "name:group",
 * "uid:gid", "name:gid", "uid:group" -- as runc's user.GetExecUser does:
 *   - "" is uid 0;
 *   - a user name is looked up in passwd_text (the image's /etc/passwd),
 *     and gives its uid and, unless a group is named, its primary gid;
 *   - a number is a uid, with its passwd entry's primary gid if it has one,
 *     else gid 0;
 *   - a group name is looked up in group_text (/etc/group); a number is a
 *     gid.
 * passwd_text / group_text are NULL when the image lacks the file: names
 * then fail ("user `x`: no /etc/passwd in the image"), numbers work.
 * Numbers are 0..2147483647 (runc's range). Every refusal is -EINVAL. */
int eng_user_resolve(const char *user_spec, const char *passwd_text, const char *group_text,
		     unsigned *uid, unsigned *gid, struct isolab_error *err);

#endif
