/* build_config.c: metadata instructions applied to the config being built (see build_config.h). */
#include "engine/lib/build_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *eng_bcfg_scratch(void)
{
	cJSON *doc = cJSON_CreateObject(), *rootfs;

	if (doc == NULL)
		return NULL;
	cJSON_AddStringToObject(doc, "architecture", "amd64");
	cJSON_AddStringToObject(doc, "os", "linux");
	cJSON_AddObjectToObject(doc, "config");
	rootfs = cJSON_AddObjectToObject(doc, "rootfs");
	cJSON_AddStringToObject(rootfs, "type", "layers");
	cJSON_AddArrayToObject(rootfs, "diff_ids");
	cJSON_AddArrayToObject(doc, "history");
	return doc;
}

cJSON *eng_bcfg_runtime(cJSON *doc)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "config");

	if (cJSON_IsObject(c))
		return c;
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "config");
	return cJSON_AddObjectToObject(doc, "config");
}

/* config[key] as an object (made, or replaced if of another type). */
static cJSON *object_member(cJSON *doc, const char *key)
{
	cJSON *c = eng_bcfg_runtime(doc), *o = cJSON_GetObjectItemCaseSensitive(c, key);

	if (cJSON_IsObject(o))
		return o;
	cJSON_DeleteItemFromObjectCaseSensitive(c, key);
	return cJSON_AddObjectToObject(c, key);
}

int eng_bcfg_set_env(cJSON *doc, const char *key, const char *value)
{
	cJSON *c = eng_bcfg_runtime(doc), *env = cJSON_GetObjectItemCaseSensitive(c, "Env"), *it;
	size_t klen = strlen(key);
	char *line;
	int i = 0;

	if (asprintf(&line, "%s=%s", key, value) < 0)
		return -ENOMEM;
	if (!cJSON_IsArray(env)) {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "Env");
		env = cJSON_AddArrayToObject(c, "Env");
	}
	cJSON_ArrayForEach(it, env) {
		if (cJSON_IsString(it) && strncmp(it->valuestring, key, klen) == 0 &&
		    it->valuestring[klen] == '=') {
			cJSON_ReplaceItemInArray(env, i, cJSON_CreateString(line));
			free(line);
			return 0;
		}
		i++;
	}
	cJSON_AddItemToArray(env, cJSON_CreateString(line));
	free(line);
	return 0;
}

const char **eng_bcfg_env(cJSON *doc, size_t *n)
{
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(eng_bcfg_runtime(doc), "Env"), *it;
	const char **out = calloc((size_t)cJSON_GetArraySize(env) + 1, sizeof(*out));

	*n = 0;
	if (out == NULL)
		return NULL;
	cJSON_ArrayForEach(it, env)
		if (cJSON_IsString(it))
			out[(*n)++] = it->valuestring;
	return out;
}

const char *eng_bcfg_string(cJSON *doc, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(eng_bcfg_runtime(doc), key);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

int eng_bcfg_set_string(cJSON *doc, const char *key, const char *value)
{
	cJSON *c = eng_bcfg_runtime(doc);

	cJSON_DeleteItemFromObjectCaseSensitive(c, key);
	return cJSON_AddStringToObject(c, key, value) ? 0 : -ENOMEM;
}

int eng_bcfg_set_label(cJSON *doc, const char *key, const char *value)
{
	cJSON *labels = object_member(doc, "Labels");

	cJSON_DeleteItemFromObjectCaseSensitive(labels, key);
	return cJSON_AddStringToObject(labels, key, value) ? 0 : -ENOMEM;
}

int eng_bcfg_expose(cJSON *doc, const char *port, struct isolab_error *err)
{
	char key[64], proto[8] = "tcp";
	unsigned long num;
	char *end;

	num = strtoul(port, &end, 10);
	if (end == port || num == 0 || num > 65535 ||
	    (*end != '\0' && (*end != '/' || sscanf(end + 1, "%7s", proto) != 1)) ||
	    (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 && strcmp(proto, "sctp") != 0))
		return isolab_error_set(err, -EINVAL, "EXPOSE `%s`: not PORT[/tcp|/udp|/sctp]", port);
	snprintf(key, sizeof(key), "%lu/%s", num, proto);
	cJSON *ports = object_member(doc, "ExposedPorts");

	cJSON_DeleteItemFromObjectCaseSensitive(ports, key);
	return cJSON_AddObjectToObject(ports, key) ? 0 : -ENOMEM;
}

int eng_bcfg_volume(cJSON *doc, const char *path)
{
	cJSON *vols = object_member(doc, "Volumes");

	cJSON_DeleteItemFromObjectCaseSensitive(vols, path);
	return cJSON_AddObjectToObject(vols, path) ? 0 : -ENOMEM;
}

int eng_bcfg_set_argv(cJSON *doc, const char *key, char *const *argv, size_t n, bool cmd_set)
{
	cJSON *c = eng_bcfg_runtime(doc), *arr;

	cJSON_DeleteItemFromObjectCaseSensitive(c, key);
	arr = cJSON_AddArrayToObject(c, key);
	if (arr == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(argv[i]));
	/* moby dispatchers.go dispatchEntrypoint: "if !d.state.cmdSet { Cmd = nil }" */
	if (strcmp(key, "Entrypoint") == 0 && !cmd_set)
		cJSON_DeleteItemFromObjectCaseSensitive(c, "Cmd");
	return 0;
}

int eng_bcfg_history(cJSON *doc, const char *created, const char *created_by, bool empty_layer)
{
	cJSON *h = cJSON_GetObjectItemCaseSensitive(doc, "history"), *step;

	if (!cJSON_IsArray(h)) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "history");
		h = cJSON_AddArrayToObject(doc, "history");
	}
	step = cJSON_CreateObject();
	if (h == NULL || step == NULL)
		return -ENOMEM;
	cJSON_AddStringToObject(step, "created", created);
	cJSON_AddStringToObject(step, "created_by", created_by);
	if (empty_layer)
		cJSON_AddBoolToObject(step, "empty_layer", true);
	cJSON_AddItemToArray(h, step);
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "created");
	cJSON_AddStringToObject(doc, "created", created);
	return 0;
}

int eng_bcfg_add_layer(cJSON *doc, const struct eng_digest *diff_id)
{
	cJSON *rootfs = cJSON_GetObjectItemCaseSensitive(doc, "rootfs");
	cJSON *ids = cJSON_GetObjectItemCaseSensitive(rootfs, "diff_ids");

	if (!cJSON_IsArray(ids))
		return -EINVAL;
	cJSON_AddItemToArray(ids, cJSON_CreateString(diff_id->str));
	return 0;
}

char *eng_bcfg_workdir(const char *current, const char *arg)
{
	char joined[8192], out[8192];
	size_t len = 0;
	const char *p;

	if (arg[0] == '/')
		snprintf(joined, sizeof(joined), "%s", arg);
	else
		snprintf(joined, sizeof(joined), "%s/%s", current ? current : "/", arg);
	/* clean: collapse //, drop ., resolve .. (never above /) */
	out[0] = '\0';
	for (p = joined; *p;) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out, '/');

			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
		} else if (len + n + 2 < sizeof(out)) {
			len += (size_t)snprintf(out + len, sizeof(out) - len, "/%.*s", (int)n, p);
		}
		p = end;
	}
	return strdup(len ? out : "/");
}
