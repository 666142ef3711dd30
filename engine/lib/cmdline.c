/*
 * cmdline.c: a container's argv, environment and uid/gid from its image
 * config and `run`'s options, by Docker's rules (see cmdline.h). Pure code.
 */
#include "engine/lib/cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CTR_DEFAULT_PATH: the runtime and the engine give the same default PATH. */
#include "container/exec_cmd.h"
#include "common/accounts.h"

/* runc's libcontainer/user: ids are 0..MaxInt32. */
#define USER_ID_MAX ISOLAB_ACCOUNT_ID_MAX
/* A host name is at most 64 bytes (HOST_NAME_MAX); the environment takes 255. */
#define ENV_HOSTNAME_MAX 255
/* A User string longer than this is not a user. */
#define USER_SPEC_MAX 1024

void eng_strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

/* A NULL-terminated copy of a followed by b. */
static char **strv_concat(char *const *a, size_t n_a, char *const *b, size_t n_b)
{
	char **v = calloc(n_a + n_b + 1, sizeof(char *));

	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < n_a + n_b; i++) {
		v[i] = strdup(i < n_a ? a[i] : b[i - n_a]);
		if (v[i] == NULL) {
			eng_strv_free(v);
			return NULL;
		}
	}
	return v;
}

int eng_cmdline_resolve(const struct eng_image_config *c, const struct eng_run_override *o,
			char ***argv_out, size_t *argc_out, struct isolab_error *err)
{
	static const struct eng_image_config no_config;
	static const struct eng_run_override no_override;
	char *const *entrypoint = NULL, *const *cmd;
	size_t n_entrypoint = 0, n_cmd;
	char *user_entrypoint[1];

	*argv_out = NULL;
	*argc_out = 0;
	if (c == NULL)
		c = &no_config;
	if (o == NULL)
		o = &no_override;
	cmd = o->args;
	n_cmd = o->n_args;
	if (o->set_entrypoint) {
		/* merge(): a user Entrypoint (even [""]) keeps the image's Entrypoint
		 * and Cmd out; mergeAndVerifyConfig() then turns [""] into none. The
		 * docker run reference: "Passing --entrypoint will clear out any
		 * default command set on the image". */
		if (o->entrypoint != NULL && o->entrypoint[0] != '\0') {
			user_entrypoint[0] = (char *)o->entrypoint;
			entrypoint = user_entrypoint;
			n_entrypoint = 1;
		}
	} else {
		/* merge(): no user Entrypoint: the image's, and its Cmd unless the
		 * command line gave arguments. */
		entrypoint = c->entrypoint;
		n_entrypoint = c->n_entrypoint;
		if (n_cmd == 0) {
			cmd = c->cmd;
			n_cmd = c->n_cmd;
		}
	}
	if (n_entrypoint + n_cmd == 0)
		return isolab_error_set(err, -EINVAL, "no command: the image has no Entrypoint "
					"or Cmd and none was given");
	*argv_out = strv_concat(entrypoint, n_entrypoint, cmd, n_cmd);
	if (*argv_out == NULL)
		return isolab_error_set(err, -ENOMEM, "command line: out of memory");
	*argc_out = n_entrypoint + n_cmd;
	return 0;
}

/* ---- environment ---- */

/* The environment being built: entries "K=V"; a removed one is NULL. */
struct env_list {
	char **v;
	size_t n, cap;
};

static size_t env_key_len(const char *entry)
{
	return strcspn(entry, "=");
}

static bool env_key_is(const char *entry, const char *key, size_t key_len)
{
	return env_key_len(entry) == key_len && memcmp(entry, key, key_len) == 0;
}

/* Sets entry "K=V" in place of K, or appends it; entry NULL removes K. */
static int env_set(struct env_list *l, const char *key, size_t key_len, const char *entry)
{
	char *copy = NULL;

	if (entry != NULL && (copy = strdup(entry)) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i] != NULL && env_key_is(l->v[i], key, key_len)) {
			free(l->v[i]);
			l->v[i] = copy;
			return 0;
		}
	}
	if (copy == NULL)
		return 0;
	if (l->n + 1 >= l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **v = realloc(l->v, cap * sizeof(char *));

		if (v == NULL) {
			free(copy);
			return -ENOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = copy;
	return 0;
}

static void env_list_free(struct env_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* The "K=V" of caller_env whose key is key, or NULL. */
static const char *env_lookup(char *const *env, const char *key, size_t key_len)
{
	for (; env != NULL && *env != NULL; env++)
		if (env_key_is(*env, key, key_len) && (*env)[key_len] == '=')
			return *env;
	return NULL;
}

static bool env_named_by_option(const struct eng_env_request *rq, const char *key,
				size_t key_len)
{
	for (size_t i = 0; i < rq->n_opts; i++)
		if (env_key_is(rq->opts[i], key, key_len))
			return true;
	return false;
}

static int env_fill(struct env_list *l, const struct eng_image_config *c,
		    const struct eng_env_request *rq, struct isolab_error *err)
{
	char hostname[sizeof("HOSTNAME=") + ENV_HOSTNAME_MAX];
	int rc;

	/* Docker's defaults, which the config's Env then overrides. */
	rc = env_set(l, "PATH", 4, "PATH=" CTR_DEFAULT_PATH);
	if (rc == 0 && rq->hostname != NULL) {
		if (strlen(rq->hostname) > ENV_HOSTNAME_MAX)
			return isolab_error_set(err, -EINVAL, "hostname `%.64s...`: longer than %d "
						"characters", rq->hostname, ENV_HOSTNAME_MAX);
		snprintf(hostname, sizeof(hostname), "HOSTNAME=%s", rq->hostname);
		rc = env_set(l, "HOSTNAME", 8, hostname);
	}
	if (rc == 0 && rq->tty)
		rc = env_set(l, "TERM", 4, "TERM=xterm");
	if (rc < 0)
		return rc;

	/* The -e options, in order. */
	for (size_t i = 0; i < rq->n_opts; i++) {
		const char *opt = rq->opts[i];
		size_t key_len = env_key_len(opt);

		if (key_len == 0)
			return isolab_error_set(err, -EINVAL, "environment `%.100s`: empty "
						"variable name", opt);
		if (opt[key_len] == '=')
			rc = env_set(l, opt, key_len, opt);
		else /* "-e K": the caller's K, or no K at all */
			rc = env_set(l, opt, key_len, env_lookup(rq->caller_env, opt, key_len));
		if (rc < 0)
			return rc;
	}

	/* The image's Env, except what an option named. */
	for (size_t i = 0; c != NULL && i < c->n_env; i++) {
		size_t key_len = env_key_len(c->env[i]);

		if (key_len == 0 || env_named_by_option(rq, c->env[i], key_len))
			continue;
		rc = env_set(l, c->env[i], key_len, c->env[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int eng_env_resolve(const struct eng_image_config *c, const struct eng_env_request *rq,
		    char ***env_out, size_t *n_out, struct isolab_error *err)
{
	static const struct eng_env_request no_request;
	struct env_list l = { 0 };
	size_t n = 0;
	int rc;

	*env_out = NULL;
	*n_out = 0;
	if (rq == NULL)
		rq = &no_request;
	rc = env_fill(&l, c, rq, err);
	if (rc < 0) {
		env_list_free(&l);
		if (rc == -ENOMEM)
			return isolab_error_set(err, -ENOMEM, "environment: out of memory");
		return rc;
	}
	/* Close the gaps of removed variables; PATH was set, so l.v exists. */
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i] != NULL)
			l.v[n++] = l.v[i];
	l.v[n] = NULL;
	*env_out = l.v;
	*n_out = n;
	return 0;
}

/* ---- User ---- */

int eng_user_resolve(const char *user_spec, const char *passwd_text, const char *group_text,
		     unsigned *uid, unsigned *gid, struct isolab_error *err)
{
	const char *spec = user_spec ? user_spec : "";
	size_t spec_len = strnlen(spec, USER_SPEC_MAX + 1);
	const char *colon, *user = spec, *group = NULL;
	size_t user_len, group_len = 0;
	long u, g = 0;

	if (spec_len > USER_SPEC_MAX)
		return isolab_error_set(err, -EINVAL, "user `%.64s...`: longer than %d characters",
					spec, USER_SPEC_MAX);
	colon = memchr(spec, ':', spec_len);
	user_len = colon ? (size_t)(colon - spec) : spec_len;
	if (colon != NULL) {
		group = colon + 1;
		group_len = spec_len - user_len - 1;
		if (memchr(group, ':', group_len) != NULL)
			return isolab_error_set(err, -EINVAL, "user `%.100s`: not user[:group]",
						spec);
	}
	if (user_len == 0)
		user = "0", user_len = 1; /* runc: the default user, uid 0 */

	u = isolab_account_id(user, user_len);
	if (u < 0 && user[0] >= '0' && user[0] <= '9' &&
	    strspn(user, "0123456789") >= user_len)
		return isolab_error_set(err, -EINVAL, "user `%.100s`: uid out of range "
					"(0..%u)", spec, USER_ID_MAX);
	if (u >= 0) {
		long found_uid;

		/* A number is a uid; its passwd entry, if any, gives the gid. */
		if (passwd_text != NULL && isolab_accounts_find(passwd_text, NULL, 0, u, 2, &found_uid, &g))
			u = found_uid;
	} else if (passwd_text == NULL) {
		return isolab_error_set(err, -EINVAL, "user `%.100s`: no /etc/passwd in the image",
					spec);
	} else if (!isolab_accounts_find(passwd_text, user, user_len, -1, 2, &u, &g)) {
		return isolab_error_set(err, -EINVAL, "user `%.100s`: no user `%.*s` in the "
					"image's /etc/passwd", spec, (int)user_len, user);
	}

	if (group_len > 0) {
		long numeric = isolab_account_id(group, group_len);

		if (numeric >= 0) {
			g = numeric;
		} else if (group[0] >= '0' && group[0] <= '9' &&
			   strspn(group, "0123456789") >= group_len) {
			return isolab_error_set(err, -EINVAL, "user `%.100s`: gid out of range "
						"(0..%u)", spec, USER_ID_MAX);
		} else if (group_text == NULL) {
			return isolab_error_set(err, -EINVAL, "user `%.100s`: no /etc/group in the "
						"image", spec);
		} else if (!isolab_accounts_find(group_text, group, group_len, -1, 2, &g, NULL)) {
			return isolab_error_set(err, -EINVAL, "user `%.100s`: no group `%.*s` in "
						"the image's /etc/group", spec, (int)group_len, group);
		}
	}
	*uid = (unsigned)u;
	*gid = (unsigned)g;
	return 0;
}
