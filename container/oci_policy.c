/* oci_policy.c: linux.resources.devices, linux.devices and linux.seccomp
 * of config.json (see oci_policy.h; runtime-spec config-linux.md
 * "Devices", "Allowed Device Cgroup", "Seccomp"). */
#include "container/oci_policy.h"
#include "container/seccomp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(struct isolab_error *err, const char *field, const char *what)
{
	return isolab_error_set(err, -EINVAL, "config.json: %s: %s", field, what);
}

/* A number member 0..max, or CTR_DEV_WILDCARD when absent, null or -1. */
static int dev_number(const cJSON *obj, const char *name, const char *field, bool required,
		      long long max, long long *v, struct isolab_error *err)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, name);

	*v = CTR_DEV_WILDCARD;
	if (n == NULL || cJSON_IsNull(n))
		return required ? bad(err, field, "missing (required)") : 0;
	if (!cJSON_IsNumber(n) || n->valuedouble != (double)(long long)n->valuedouble ||
	    n->valuedouble < (required ? 0 : -1) || n->valuedouble > (double)max)
		return bad(err, field, "must be a device number");
	*v = (long long)n->valuedouble;
	return 0;
}

static const char *dev_string(const cJSON *obj, const char *name)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

static int parse_rules(const cJSON *arr, struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *it;
	int i = 0;

	if (!cJSON_IsArray(arr))
		return bad(err, "linux.resources.devices", "must be an array");
	cfg->dev_rules = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*cfg->dev_rules));
	if (cfg->dev_rules == NULL)
		return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
	cJSON_ArrayForEach(it, arr) {
		struct ctr_dev_rule *r = &cfg->dev_rules[cfg->n_dev_rules];
		const cJSON *allow = cJSON_GetObjectItemCaseSensitive(it, "allow");
		const char *type = dev_string(it, "type"), *access = dev_string(it, "access");
		char field[64];

		snprintf(field, sizeof(field), "linux.resources.devices[%d]", i++);
		if (!cJSON_IsBool(allow))
			return bad(err, field, "allow: missing or not a boolean");
		r->allow = cJSON_IsTrue(allow);
		r->type = type == NULL ? 'a' : type[0];
		if ((r->type != 'a' && r->type != 'b' && r->type != 'c') || (type && type[1]))
			return bad(err, field, "type must be a, b or c");
		if (dev_number(it, "major", field, false, UINT32_MAX, &r->major, err) < 0 ||
		    dev_number(it, "minor", field, false, UINT32_MAX, &r->minor, err) < 0)
			return -EINVAL;
		if (ctr_dev_parse_access(access, &r->access) < 0)
			return bad(err, field, "access must be made of r, w and m");
		cfg->n_dev_rules++;
	}
	return 0;
}

static int parse_nodes(const cJSON *arr, struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *it;
	int i = 0;

	if (!cJSON_IsArray(arr))
		return bad(err, "linux.devices", "must be an array");
	cfg->dev_nodes = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*cfg->dev_nodes));
	if (cfg->dev_nodes == NULL)
		return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
	cJSON_ArrayForEach(it, arr) {
		struct ctr_dev_node *d = &cfg->dev_nodes[cfg->n_dev_nodes];
		const char *path = dev_string(it, "path"), *type = dev_string(it, "type");
		long long major = 0, minor = 0, mode, uid, gid;
		char field[64];

		snprintf(field, sizeof(field), "linux.devices[%d]", i++);
		if (path == NULL || path[0] != '/' || strstr(path, "..") != NULL)
			return bad(err, field, "path must be an absolute path without `..`");
		if (type == NULL || type[1] != '\0' || strchr("cbup", type[0]) == NULL)
			return bad(err, field, "type must be c, b, u or p");
		if (type[0] != 'p' &&
		    (dev_number(it, "major", field, true, UINT32_MAX, &major, err) < 0 ||
		     dev_number(it, "minor", field, true, UINT32_MAX, &minor, err) < 0))
			return -EINVAL;
		if (dev_number(it, "fileMode", field, false, 07777, &mode, err) < 0 ||
		    dev_number(it, "uid", field, false, UINT32_MAX - 1, &uid, err) < 0 ||
		    dev_number(it, "gid", field, false, UINT32_MAX - 1, &gid, err) < 0)
			return -EINVAL;
		d->path = strdup(path);
		if (d->path == NULL)
			return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
		d->type = type[0];
		d->major = (unsigned)major;
		d->minor = (unsigned)minor;
		d->mode = mode == CTR_DEV_WILDCARD ? 0666 : (unsigned)mode;
		d->uid = uid == CTR_DEV_WILDCARD ? 0 : (unsigned)uid;
		d->gid = gid == CTR_DEV_WILDCARD ? 0 : (unsigned)gid;
		cfg->n_dev_nodes++;
	}
	return 0;
}

int ctr_oci_policy_from_json(const cJSON *lnx, struct ctr_config *cfg,
			     struct isolab_error *err)
{
	const cJSON *res, *rules, *nodes, *seccomp;

	cfg->seccomp_unconfined = true; /* no linux.seccomp: no filter */
	if (lnx == NULL)
		return 0;
	res = cJSON_GetObjectItemCaseSensitive(lnx, "resources");
	rules = cJSON_IsObject(res) ? cJSON_GetObjectItemCaseSensitive(res, "devices") : NULL;
	if (rules != NULL && !cJSON_IsNull(rules) && parse_rules(rules, cfg, err) < 0)
		return err->code;
	nodes = cJSON_GetObjectItemCaseSensitive(lnx, "devices");
	if (nodes != NULL && !cJSON_IsNull(nodes) && parse_nodes(nodes, cfg, err) < 0)
		return err->code;
	seccomp = cJSON_GetObjectItemCaseSensitive(lnx, "seccomp");
	if (seccomp == NULL || cJSON_IsNull(seccomp))
		return 0;
	cfg->seccomp_unconfined = false;
	return ctr_seccomp_from_json(seccomp, "config.json: linux.seccomp", true, &cfg->seccomp,
				     err);
}
