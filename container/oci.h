/*
 * oci.h: an OCI runtime-spec bundle's config.json mapped onto struct
 * ctr_config (pure: works on a parsed cJSON document).
 *
 * Honoured: process.args/env/cwd/user{uid,gid,additionalGids}/
 * capabilities/rlimits/noNewPrivileges, root.path/readonly, hostname,
 * mounts, linux.namespaces (without "path"), linux.uidMappings/
 * gidMappings, linux.resources.memory.limit, .cpu.quota/period,
 * .pids.limit, linux.maskedPaths, linux.readonlyPaths, and (oci_policy.h)
 * linux.resources.devices, linux.devices, linux.seccomp. Unknown fields are
 * ignored. A wrong or missing required field is an error naming it.
 */
#ifndef ISOLAB_CONTAINER_OCI_H
#define ISOLAB_CONTAINER_OCI_H

#include <cjson/cJSON.h>

#include "common/error.h"
#include "container/config.h"

/* Fills cfg (already ctr_config_init'ed) from doc; bundle_dir resolves a
 * relative root.path. */
int ctr_oci_from_json(const cJSON *doc, const char *bundle_dir, struct ctr_config *cfg,
		      struct isolab_error *err);

/* The i-th linux.namespaces type this runtime makes ("pid", ...); NULL
 * past the last. For `features`. */
const char *ctr_oci_namespace_name(size_t i);

/* The same, for a host with these features (oci_fields.h); host NULL:
 * none of them. */
struct ctr_host_features;
int ctr_oci_from_json_host(const cJSON *doc, const char *bundle_dir,
			   const struct ctr_host_features *host, struct ctr_config *cfg,
			   struct isolab_error *err);

/* What this host offers (AppArmor, SELinux, resctrl, a blkio weight). */
void ctr_host_features_detect(struct ctr_host_features *host);

/* Reads BUNDLE/config.json and calls ctr_oci_from_json_host. */
int ctr_oci_load(const char *bundle_dir, struct ctr_config *cfg, struct isolab_error *err);

/* The same, with the process object read from process_file (`exec
 * --process`, runc's process.json) instead of config.json's when it is
 * not NULL, and config.json's annotations handed out in *annotations
 * (NULL when there are none; cJSON_Delete) when annotations is not NULL. */
int ctr_oci_load_with(const char *bundle_dir, const char *process_file, struct ctr_config *cfg,
		      cJSON **annotations, struct isolab_error *err);

#endif
