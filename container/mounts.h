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

/* What the child does between the steps (child.c): the hooks once the
 * mounts are made (before pivot_root), the sysctls after the pivot (before
 * /proc/sys is made read-only). Either may be NULL. */
struct ctr_mounts_steps {
	int (*before_pivot)(const void *arg, struct isolab_error *err);
	int (*after_pivot)(const void *arg, struct isolab_error *err);
	const void *arg;
};

/* Everything up to and including pivot_root, linux.rootfsPropagation,
 * the masks and the read-only root. times[0] is set when the mounts are
 * done, times[1] after the pivot. */
int ctr_mounts_setup(const struct ctr_config *cfg, struct ctr_state *st,
		     enum ctr_cgroup_mode cgmode, const struct ctr_mounts_steps *steps,
		     unsigned long long times[2], struct isolab_error *err);

#endif
