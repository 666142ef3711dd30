/*
 * oci_policy.h: the security parts of an OCI bundle's linux object mapped
 * onto struct ctr_config (pure): linux.resources.devices (device rules),
 * linux.devices (nodes to make) and linux.seccomp (the filter; absent:
 * none, as the runtime-spec and runc have it).
 */
#ifndef ISOLAB_CONTAINER_OCI_POLICY_H
#define ISOLAB_CONTAINER_OCI_POLICY_H

#include <cjson/cJSON.h>

#include "common/error.h"
#include "container/config.h"

/* lnx: the "linux" object, or NULL. */
int ctr_oci_policy_from_json(const cJSON *lnx, struct ctr_config *cfg,
			     struct isolab_error *err);

#endif
