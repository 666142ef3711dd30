/* exec_flags.c: runc exec's process flags (see exec_flags.h). */
#include "container/exec_flags.h"
#include "container/caps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ctr_exec_flag_env(struct ctr_exec_flags *f, const char *text, struct isolab_error *err)
{
	const char *eq = strchr(text, '=');

	if (eq == NULL || eq == text)
		return isolab_error_set(err, -EINVAL, "--env `%s`: not KEY=VALUE", text);
	if (f->n_env >= CTR_EXEC_MAX_ENV)
		return isolab_error_set(err, -EINVAL, "--env `%s`: more than %d", text,
					CTR_EXEC_MAX_ENV);
	f->env[f->n_env++] = text;
	return 0;
}

int ctr_exec_flag_cwd(struct ctr_exec_flags *f, const char *text, struct isolab_error *err)
{
	if (text[0] != '/')
		return isolab_error_set(err, -EINVAL, "--cwd `%s`: not an absolute path", text);
	f->cwd = text;
	return 0;
}

/* A decimal number up to max, the whole of text[0..len). */
static bool parse_decimal(const char *text, size_t len, uint64_t max, uint64_t *v)
{
	*v = 0;
	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		*v = *v * 10 + (uint64_t)(text[i] - '0');
	}
	return *v <= max;
}

int ctr_exec_flag_user(struct ctr_exec_flags *f, const char *text, struct isolab_error *err)
{
	const char *colon = strchr(text, ':');
	size_t ulen = colon ? (size_t)(colon - text) : strlen(text);
	uint64_t uid, gid = 0;

	if (!parse_decimal(text, ulen, UINT32_MAX - 1, &uid) ||
	    (colon != NULL && !parse_decimal(colon + 1, strlen(colon + 1), UINT32_MAX - 1, &gid)))
		return isolab_error_set(err, -EINVAL,
					"--user `%s`: not UID[:GID] (numbers below 4294967295)", text);
	f->has_user = true;
	f->uid = (uint32_t)uid;
	f->has_gid = colon != NULL;
	f->gid = (uint32_t)gid;
	return 0;
}

int ctr_exec_flag_cap(struct ctr_exec_flags *f, const char *text, struct isolab_error *err)
{
	int cap;

	if (ctr_cap_from_name(text, &cap) < 0)
		return isolab_error_set(err, -EINVAL, "--cap `%s`: unknown capability", text);
	f->caps |= 1ull << cap;
	return 0;
}

int ctr_exec_flag_preserve_fds(struct ctr_exec_flags *f, const char *text,
			       struct isolab_error *err)
{
	uint64_t n;

	if (!parse_decimal(text, strlen(text), CTR_EXEC_MAX_PRESERVE_FDS, &n))
		return isolab_error_set(err, -EINVAL, "--preserve-fds `%s`: not a number from 0 to %d",
					text, CTR_EXEC_MAX_PRESERVE_FDS);
	f->preserve_fds = (unsigned)n;
	return 0;
}

/* "K=V" into env, replacing an entry with the same key. */
static int env_set(struct ctr_config *cfg, const char *kv)
{
	size_t klen = (size_t)(strchr(kv, '=') - kv) + 1;
	char *copy;

	for (size_t i = 0; i < cfg->n_env; i++) {
		if (strncmp(cfg->env[i], kv, klen) != 0)
			continue;
		copy = strdup(kv);
		if (copy == NULL)
			return -ENOMEM;
		free(cfg->env[i]);
		cfg->env[i] = copy;
		return 0;
	}
	return ctr_strv_push(&cfg->env, &cfg->n_env, kv);
}

int ctr_exec_flags_apply(const struct ctr_exec_flags *f, struct ctr_config *cfg,
			 struct isolab_error *err)
{
	for (size_t i = 0; i < f->n_env; i++)
		if (env_set(cfg, f->env[i]) < 0)
			return isolab_error_set(err, -ENOMEM, "--env: out of memory");
	if (f->cwd != NULL) {
		char *cwd = strdup(f->cwd);

		if (cwd == NULL)
			return isolab_error_set(err, -ENOMEM, "--cwd: out of memory");
		free(cfg->cwd);
		cfg->cwd = cwd;
	}
	if (f->has_user)
		cfg->uid = f->uid;
	if (f->has_gid)
		cfg->gid = f->gid;
	cfg->caps.bounding |= f->caps;
	cfg->caps.effective |= f->caps;
	cfg->caps.permitted |= f->caps;
	if (f->no_new_privs)
		cfg->no_new_privs = true;
	cfg->tty = f->tty;
	return 0;
}
