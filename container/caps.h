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

/* CAP_NET_ADMIN -> "net_admin"; NULL past the last one this build knows. */
const char *ctr_cap_name(int cap);

/* The ambient capabilities that can be raised: those also in the
 * bounding, permitted and inheritable sets (prctl(2) PR_CAP_AMBIENT_RAISE
 * refuses the rest with EPERM). The others are left out, as runc does
 * (runc spec asks for ambient capabilities without inheritable ones). Pure. */
uint64_t ctr_caps_ambient_raisable(const struct ctr_caps *caps);

/* Drops from the bounding set everything not in caps->bounding and clears
 * the ambient set; keeps the rest for ctr_caps_apply. Needs CAP_SETPCAP. */
int ctr_caps_drop_bounding(const struct ctr_caps *caps, struct isolab_error *err);

/* Sets effective, permitted, inheritable, then raises the ambient ones
 * that can be (ctr_caps_ambient_raisable). */
int ctr_caps_apply(const struct ctr_caps *caps, struct isolab_error *err);

#endif
