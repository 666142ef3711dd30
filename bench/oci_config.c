/* oci_config.c: a bundle's config.json from a runtime's default (see oci_config.h). */
#include "bench/oci_config.h"

#include <errno.h>

static void replace(cJSON *obj, const char *key, cJSON *value)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
	else
		cJSON_AddItemToObject(obj, key, value);
}

int bench_oci_config_apply(cJSON *config, const char *rootfs, const char *const *argv,
			   struct isolab_error *err)
{
	cJSON *process = cJSON_GetObjectItemCaseSensitive(config, "process");
	cJSON *root = cJSON_GetObjectItemCaseSensitive(config, "root");
	cJSON *args;

	if (!cJSON_IsObject(process) || !cJSON_IsObject(root))
		return isolab_error_set(err, -EINVAL, "config.json: no `process` or `root` object");
	if (argv == NULL || argv[0] == NULL)
		return isolab_error_set(err, -EINVAL, "config.json: no process arguments given");
	args = cJSON_CreateArray();
	for (; *argv != NULL; argv++)
		cJSON_AddItemToArray(args, cJSON_CreateString(*argv));
	replace(process, "args", args);
	replace(process, "terminal", cJSON_CreateFalse());
	replace(root, "path", cJSON_CreateString(rootfs));
	replace(root, "readonly", cJSON_CreateTrue());
	return 0;
}
