/* features.c: the runtime-spec features document (see features.h). */
#include "container/features.h"
#include "container/hooks.h"
#include "container/caps.h"
#include "container/config.h"
#include "container/oci.h"
#include "container/seccomp.h"
#include "container/version.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>

/* An array named name in obj holding every name at(0), at(1), ... gives. */
static bool add_names(cJSON *obj, const char *name, const char *(*at)(size_t))
{
	cJSON *a = cJSON_AddArrayToObject(obj, name);
	const char *s;

	if (a == NULL)
		return false;
	for (size_t i = 0; (s = at(i)) != NULL; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(s)))
			return false;
	return true;
}

/* "CAP_CHOWN", ...: every capability this build knows. */
static bool add_capabilities(cJSON *lnx)
{
	cJSON *a = cJSON_AddArrayToObject(lnx, "capabilities");
	const char *s;

	if (a == NULL)
		return false;
	for (int cap = 0; (s = ctr_cap_name(cap)) != NULL; cap++) {
		char upper[40];
		size_t n = (size_t)snprintf(upper, sizeof(upper), "CAP_%s", s);

		for (size_t i = 4; i < n && i < sizeof(upper); i++)
			upper[i] = (char)toupper((unsigned char)upper[i]);
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(upper)))
			return false;
	}
	return true;
}

/* {"enabled": value} */
static bool add_enabled(cJSON *obj, const char *name, bool value)
{
	cJSON *o = cJSON_AddObjectToObject(obj, name);

	return o != NULL && cJSON_AddBoolToObject(o, "enabled", value) != NULL;
}

static bool add_linux(cJSON *doc)
{
	cJSON *lnx = cJSON_AddObjectToObject(doc, "linux"), *cg, *sc, *ext;

	if (lnx == NULL || !add_names(lnx, "namespaces", ctr_oci_namespace_name) ||
	    !add_capabilities(lnx))
		return false;
	/* cgroupfs on v1, hybrid and v2 (cgroup.h); no systemd driver. */
	cg = cJSON_AddObjectToObject(lnx, "cgroup");
	if (cg == NULL || !cJSON_AddBoolToObject(cg, "v1", true) ||
	    !cJSON_AddBoolToObject(cg, "v2", true) || !cJSON_AddBoolToObject(cg, "systemd", false) ||
	    !cJSON_AddBoolToObject(cg, "systemdUser", false) ||
	    !cJSON_AddBoolToObject(cg, "rdma", false))
		return false;
	sc = cJSON_AddObjectToObject(lnx, "seccomp");
	if (sc == NULL || !cJSON_AddBoolToObject(sc, "enabled", true) ||
	    !add_names(sc, "actions", ctr_seccomp_action_name) ||
	    !add_names(sc, "operators", ctr_seccomp_operator_name) ||
	    !add_names(sc, "archs", ctr_seccomp_arch_name) ||
	    !add_names(sc, "knownFlags", ctr_seccomp_flag_name) ||
	    !add_names(sc, "supportedFlags", ctr_seccomp_flag_name))
		return false;
	if (!add_enabled(lnx, "apparmor", false) || !add_enabled(lnx, "selinux", false) ||
	    !add_enabled(lnx, "intelRdt", false))
		return false;
	ext = cJSON_AddObjectToObject(lnx, "mountExtensions");
	return ext != NULL && add_enabled(ext, "idmap", false);
}

/* The hooks this runtime runs (hooks.h), in lifecycle order. */
static bool add_hooks(cJSON *doc)
{
	cJSON *arr = cJSON_AddArrayToObject(doc, "hooks");

	for (int k = 0; arr != NULL && k < CTR_HOOK_KINDS; k++) {
		cJSON *name = cJSON_CreateString(ctr_hook_kind_name((enum ctr_hook_kind)k));

		if (name == NULL || !cJSON_AddItemToArray(arr, name))
			return false;
	}
	return arr != NULL;
}

cJSON *ctr_features_json(const char *libseccomp_version)
{
	cJSON *doc = cJSON_CreateObject(), *notes;
	bool ok = doc != NULL;

	ok = ok && cJSON_AddStringToObject(doc, "ociVersionMin", CTR_OCI_VERSION_MIN) != NULL &&
	     cJSON_AddStringToObject(doc, "ociVersionMax", CTR_OCI_VERSION) != NULL;
	ok = ok && add_hooks(doc);
	ok = ok && add_names(doc, "mountOptions", ctr_mount_option_name);
	ok = ok && add_linux(doc);
	notes = ok ? cJSON_AddObjectToObject(doc, "annotations") : NULL;
	ok = notes != NULL &&
	     cJSON_AddStringToObject(notes, "io.github.seccomp.libseccomp.version",
				     libseccomp_version) != NULL &&
	     cJSON_AddStringToObject(notes, "org.isolab.ctr.version", CTR_VERSION) != NULL;
	if (!ok) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}
