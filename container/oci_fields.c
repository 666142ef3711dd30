/* oci_fields.c: runtime-spec fields refused or ignored (see oci_fields.h). */
#include "container/oci_fields.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct ctr_field fields[] = {
	{ "process.apparmorProfile", CTR_FIELD_NEEDS_HOST, "AppArmor" },
	{ "process.selinuxLabel", CTR_FIELD_NEEDS_HOST, "SELinux" },
	{ "linux.mountLabel", CTR_FIELD_NEEDS_HOST, "SELinux" },
	{ "linux.intelRdt", CTR_FIELD_NEEDS_HOST, "Intel RDT (resctrl)" },
	{ "linux.resources.blockIO.weight", CTR_FIELD_NEEDS_HOST, "a blkio.weight or io.weight file" },
	{ "process.scheduler", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "process.ioPriority", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "process.execCPUAffinity", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.timeOffsets", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.memory.reservation", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.memory.swappiness", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.memory.disableOOMKiller", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.memory.useHierarchy", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.memory.checkBeforeUpdate", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.memory.kernel", CTR_FIELD_IGNORED, "deprecated (runtime-spec: may be ignored)" },
	{ "linux.resources.memory.kernelTCP", CTR_FIELD_IGNORED, "deprecated (runtime-spec: may be ignored)" },
	{ "linux.resources.cpu.burst", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.cpu.realtimeRuntime", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.cpu.realtimePeriod", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.cpu.idle", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.blockIO.leafWeight", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.blockIO.weightDevice", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.hugepageLimits", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.network", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.rdma", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.resources.unified", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "linux.seccomp.listenerPath", CTR_FIELD_REFUSED, "not supported by isolab-ctr" },
	{ "windows", CTR_FIELD_IGNORED, "another platform's (runtime-spec: Linux ignores it)" },
	{ "solaris", CTR_FIELD_IGNORED, "another platform's (runtime-spec: Linux ignores it)" },
	{ "vm", CTR_FIELD_IGNORED, "another platform's (runtime-spec: Linux ignores it)" },
	{ "zos", CTR_FIELD_IGNORED, "another platform's (runtime-spec: Linux ignores it)" },
	{ "process.commandLine", CTR_FIELD_IGNORED, "Windows only (runtime-spec)" },
	{ "process.user.username", CTR_FIELD_IGNORED, "Windows only (runtime-spec)" },
};

const struct ctr_field *ctr_oci_field(size_t i)
{
	return i < sizeof(fields) / sizeof(fields[0]) ? &fields[i] : NULL;
}

/* The member at a dotted path, or NULL. */
static const cJSON *at_path(const cJSON *doc, const char *path)
{
	char name[64];

	while (doc != NULL && *path) {
		size_t len = strcspn(path, ".");

		if (len >= sizeof(name) || !cJSON_IsObject(doc))
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		doc = cJSON_GetObjectItemCaseSensitive(doc, name);
		path += len + (path[len] == '.');
	}
	return doc;
}

static bool is_set(const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return false;
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	return true;
}

static bool host_has(const struct ctr_host_features *host, const char *feature)
{
	if (host == NULL)
		return false;
	if (strcmp(feature, "AppArmor") == 0)
		return host->apparmor;
	if (strcmp(feature, "SELinux") == 0)
		return host->selinux;
	if (strncmp(feature, "Intel RDT", 9) == 0)
		return host->intel_rdt;
	return host->blkio_weight;
}

int ctr_oci_check_fields(const cJSON *doc, const struct ctr_host_features *host,
			 struct isolab_error *err)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct ctr_field *f = &fields[i];

		if (f->status == CTR_FIELD_IGNORED || !is_set(at_path(doc, f->path)))
			continue;
		if (f->status == CTR_FIELD_REFUSED)
			return isolab_error_set(err, -EOPNOTSUPP, "config.json: %s: %s", f->path, f->why);
		if (!host_has(host, f->why))
			return isolab_error_set(err, -EOPNOTSUPP,
						"config.json: %s: this host has no %s", f->path, f->why);
		/* Blkio weight is applied (cgroup.c); the others never are. */
		if (strcmp(f->path, "linux.resources.blockIO.weight") != 0)
			return isolab_error_set(err, -EOPNOTSUPP,
						"config.json: %s: not supported by isolab-ctr (the host has %s)",
						f->path, f->why);
	}
	return 0;
}
