/*
 * mounts.h: the container's file system, the child's side, in its own
 * mount namespace: the overlay (unless the runtime mounted it on the
 * host, rootfs.h), the configured mounts (/proc, /dev, /sys, volumes,
 * each destination looked up inside the new root, resolve.h), the
 * default device nodes in a /dev tmpfs, the pivot into the overlay
 * (MS_MOVE + chroot where the root is an initramfs), the masked and
 * read-only /proc and /sys paths, and a read-only root.
 */
#ifndef ISOLAB_CONTAINER_MOUNTS_H
#define ISOLAB_CONTAINER_MOUNTS_H

#include "common/error.h"
#include "container/cgroup.h"
#include "container/config.h"
#include "container/rootfs.h"

/* Everything up to and including pivot_root, the masks and the read-only
 * root. times[0] is set when the mounts are done, times[1] after the pivot. */
int ctr_mounts_setup(const struct ctr_config *cfg, struct ctr_state *st,
		     enum ctr_cgroup_mode cgmode, unsigned long long times[2],
		     struct isolab_error *err);

#endif
