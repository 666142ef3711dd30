/*
 * caps.h: capability names (pure) and reducing the process's capability
 * sets before exec (bounding, permitted, effective, inheritable, ambient),
 * with libcap.
 */
#ifndef ISOLAB_CONTAINER_CAPS_H
#define ISOLAB_CONTAINER_CAPS_H

#include <linux/capability.h>
#include <stdint.h>

#include "common/error.h"
#include "container/config.h"

#define CTR_CAP_LAST CAP_LAST_CAP

/* "CAP_NET_ADMIN", "net_admin", "NET_ADMIN" -> CAP_NET_ADMIN. */
int ctr_cap_from_name(const char *name, int *cap);

/* Drops from the bounding set everything not in caps->bounding and clears
 * the ambient set; keeps the rest for ctr_caps_apply. Needs CAP_SETPCAP. */
int ctr_caps_drop_bounding(const struct ctr_caps *caps, struct isolab_error *err);

/* Sets effective, permitted, inheritable, then raises the ambient ones. */
int ctr_caps_apply(const struct ctr_caps *caps, struct isolab_error *err);

#endif
