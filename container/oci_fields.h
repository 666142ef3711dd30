/*
 * oci_fields.h: what isolab-ctr does with each runtime-spec field it does
 * not take into struct ctr_config itself (config.md, config-linux.md,
 * v1.1.0). runtime-spec says a runtime MUST ignore properties it does not
 * know (config.md "Extensibility"), so unknown keys pass; a field the spec
 * defines but this runtime does not implement is refused with one line
 * naming it (`config.json: linux.resources.cpu.shares: not supported by
 * isolab-ctr`), never silently ignored, except the few the spec lets a
 * runtime ignore (deprecated ones, other platforms' sections). A field
 * that needs something of the host (AppArmor, SELinux, resctrl, a blkio
 * weight file) is refused naming what the host lacks.
 */
#ifndef ISOLAB_CONTAINER_OCI_FIELDS_H
#define ISOLAB_CONTAINER_OCI_FIELDS_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "common/error.h"

/* What the host offers, for the fields that depend on it. */
struct ctr_host_features {
	bool apparmor;     /* /sys/kernel/security/apparmor */
	bool selinux;      /* selinuxfs (/sys/fs/selinux) */
	bool intel_rdt;    /* resctrl in /proc/filesystems */
	bool blkio_weight; /* v1 blkio.weight or v2 io.weight */
};

enum ctr_field_status {
	CTR_FIELD_REFUSED,       /* not implemented: refused when set */
	CTR_FIELD_IGNORED,       /* the spec lets a runtime ignore it */
	CTR_FIELD_NEEDS_HOST,    /* refused where the host lacks the feature */
};

struct ctr_field {
	const char *path;        /* "linux.resources.cpu.shares" */
	enum ctr_field_status status;
	const char *why;         /* README and messages */
};

/* The i-th entry of the table (NULL past the last). Pure. */
const struct ctr_field *ctr_oci_field(size_t i);

/* Refuses the first field of the table that doc sets (present, not null,
 * not an empty string, array or object, not false). host NULL: a host
 * without any of the features. Pure. */
int ctr_oci_check_fields(const cJSON *doc, const struct ctr_host_features *host,
			 struct isolab_error *err);

#endif
