/* hooks.c: config.json's hooks, parsed (see hooks.h). */
#include "container/hooks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[CTR_HOOK_KINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

const char *ctr_hook_kind_name(enum ctr_hook_kind kind)
{
	return kind < CTR_HOOK_KINDS ? kind_names[kind] : "?";
}

static int bad(struct isolab_error *err, const char *field, const char *what)
{
	return isolab_error_set(err, -EINVAL, "config.json: %s: %s", field, what);
}

static int strings(const cJSON *arr, const char *field, char ***v, size_t *n,
		   struct isolab_error *err)
{
	const cJSON *it;

	if (arr == NULL || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return bad(err, field, "must be an array of strings");
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it))
			return bad(err, field, "must be an array of strings");
		if (ctr_strv_push(v, n, it->valuestring) < 0)
			return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
	}
	return 0;
}

static int parse_hook(const cJSON *h, const char *field, struct ctr_hook *out,
		      struct isolab_error *err)
{
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(h, "path");
	const cJSON *timeout = cJSON_GetObjectItemCaseSensitive(h, "timeout");
	char name[96];

	if (!cJSON_IsObject(h))
		return bad(err, field, "must be an object");
	snprintf(name, sizeof(name), "%s.path", field);
	if (!cJSON_IsString(path))
		return bad(err, name, "missing (required)");
	if (path->valuestring[0] != '/')
		return bad(err, name, "must be an absolute path");
	out->path = strdup(path->valuestring);
	if (out->path == NULL)
		return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
	snprintf(name, sizeof(name), "%s.args", field);
	if (strings(cJSON_GetObjectItemCaseSensitive(h, "args"), name, &out->args, &out->n_args,
		    err) < 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "%s.env", field);
	if (strings(cJSON_GetObjectItemCaseSensitive(h, "env"), name, &out->env, &out->n_env,
		    err) < 0)
		return -EINVAL;
	if (timeout != NULL && !cJSON_IsNull(timeout)) {
		snprintf(name, sizeof(name), "%s.timeout", field);
		if (!cJSON_IsNumber(timeout) || timeout->valuedouble < 1 ||
		    timeout->valuedouble > 86400 ||
		    timeout->valuedouble != (double)(int)timeout->valuedouble)
			return bad(err, name, "must be a positive integer (seconds)");
		out->timeout = (int)timeout->valuedouble;
	}
	return 0;
}

int ctr_hooks_from_json(const cJSON *hooks, struct ctr_config *cfg, struct isolab_error *err)
{
	if (hooks == NULL || cJSON_IsNull(hooks))
		return 0;
	if (!cJSON_IsObject(hooks))
		return bad(err, "hooks", "must be an object");
	for (int k = 0; k < CTR_HOOK_KINDS; k++) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(hooks, kind_names[k]), *it;
		char field[64];
		int i = 0;

		if (arr == NULL || cJSON_IsNull(arr))
			continue;
		snprintf(field, sizeof(field), "hooks.%s", kind_names[k]);
		if (!cJSON_IsArray(arr))
			return bad(err, field, "must be an array");
		cfg->hooks[k] = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(struct ctr_hook));
		if (cfg->hooks[k] == NULL)
			return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
		cJSON_ArrayForEach(it, arr) {
			snprintf(field, sizeof(field), "hooks.%s[%d]", kind_names[k], i++);
			/* counted first: ctr_config_free frees a half-made one */
			if (parse_hook(it, field, &cfg->hooks[k][cfg->n_hooks[k]++], err) < 0)
				return err->code;
		}
	}
	free(cfg->hooks_json);
	cfg->hooks_json = cJSON_PrintUnformatted(hooks);
	if (cfg->hooks_json == NULL)
		return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
	return 0;
}

int ctr_hooks_from_text(const char *text, struct ctr_config *cfg, struct isolab_error *err)
{
	cJSON *doc = cJSON_Parse(text);
	int rc;

	if (doc == NULL)
		return isolab_error_set(err, -EINVAL, "%s: malformed JSON", CTR_HOOKS_FILE);
	rc = ctr_hooks_from_json(doc, cfg, err);
	cJSON_Delete(doc);
	return rc;
}

char *ctr_hook_state(const char *state_json, const char *status)
{
	cJSON *doc = cJSON_Parse(state_json), *s;
	char *text = NULL;

	if (!cJSON_IsObject(doc))
		goto out;
	s = cJSON_CreateString(status);
	if (s == NULL)
		goto out;
	if (cJSON_GetObjectItemCaseSensitive(doc, "status") != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(doc, "status", s);
	else
		cJSON_AddItemToObject(doc, "status", s);
	text = cJSON_PrintUnformatted(doc);
out:
	cJSON_Delete(doc);
	return text;
}
