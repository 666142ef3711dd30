/*
 * oci_extras.h: the runtime-spec fields oci.c hands on (config.md,
 * config-linux.md): process.oomScoreAdj, process.user.umask,
 * process.consoleSize, domainname, linux.sysctl (sysctl.h),
 * linux.rootfsPropagation, linux.personality,
 * linux.resources.memory.swap, cpu.shares, blockIO, hooks (hooks.h),
 * then the fields refused or ignored (oci_fields.h). Pure.
 */
#ifndef ISOLAB_CONTAINER_OCI_EXTRAS_H
#define ISOLAB_CONTAINER_OCI_EXTRAS_H

#include <cjson/cJSON.h>

#include "common/error.h"
#include "container/config.h"
#include "container/oci_fields.h"

/* doc: the whole config.json; cfg already holds what oci.c read (the
 * namespaces, the memory limit). */
int ctr_oci_extras_from_json(const cJSON *doc, const struct ctr_host_features *host,
			     struct ctr_config *cfg, struct isolab_error *err);

#endif
