/*
 * rootfs.h: the container's file system.
 *
 * The parent (host mount namespace) makes the state directory
 * /run/isolab-ctr/<id>, mounts a private tmpfs on it and an overlay at
 * <state>/root whose lower dirs are the image layers and whose upper and
 * work dirs live on that tmpfs, so any host file system (ext4, 9p, an
 * overlay) can hold the layers. The child, in its own mount namespace,
 * makes the configured mounts (/proc, /dev, /sys, volumes), pivots into
 * the overlay (MS_MOVE + chroot where the root is an initramfs), masks
 * and write-protects the usual /proc and /sys paths.
 */
#ifndef ISOLAB_CONTAINER_ROOTFS_H
#define ISOLAB_CONTAINER_ROOTFS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/cgroup.h"
#include "container/config.h"

#define CTR_STATE_ROOT "/run/isolab-ctr"

struct ctr_state {
	char dir[PATH_MAX];   /* /run/isolab-ctr/<id> (a tmpfs once mounted) */
	char root[PATH_MAX];  /* <dir>/root: the overlay */
	char upper[PATH_MAX]; /* <dir>/upper */
	bool made_dir, mounted_tmpfs, mounted_overlay;
};

/* "lowerdir=TOP:...:BOTTOM,upperdir=U,workdir=W" from layers given lowest
 * first (overlayfs.rst: the lowerdir list is top first). Pure. */
int ctr_overlay_options(char *const *layers, size_t n, const char *upper,
			const char *work, char *buf, size_t len);

/* Resolves each layer to an absolute path that exists and is a directory. */
int ctr_rootfs_resolve_layers(struct ctr_config *cfg, struct isolab_error *err);

/* Parent side. With in_host: the state dir /run/isolab-ctr/<id>, the
 * tmpfs and the overlay in the host's mount namespace (needed to read the
 * writable layer after exit, and with a user namespace). Without: only
 * paths; the child mounts the tmpfs over /run/isolab-ctr in its own
 * namespace. On failure nothing is left. */
int ctr_state_create(struct ctr_state *st, const struct ctr_config *cfg, bool in_host,
		     struct isolab_error *err);
/* The tmpfs on the state dir, upper/work/root in it, the overlay (in the
 * calling process's mount namespace). */
int ctr_state_mount(struct ctr_state *st, const struct ctr_config *cfg,
		    struct isolab_error *err);
/* Lazily unmounts and removes everything ctr_state_create made. */
int ctr_state_destroy(struct ctr_state *st, struct isolab_error *err);
/* The same for the state dir of a container whose runtime died: lazily
 * unmounts whatever is mounted on /run/isolab-ctr/<id> and removes it
 * (absent is fine). */
int ctr_state_remove_stale(const char *id, struct isolab_error *err);
/* Child side, in the new mount namespace: everything up to and including
 * pivot_root, the masks and the read-only root. times[0] is set when the
 * mounts are done, times[1] after the pivot. */
int ctr_rootfs_setup(const struct ctr_config *cfg, struct ctr_state *st,
		     enum ctr_cgroup_mode cgmode, unsigned long long times[2],
		     struct isolab_error *err);

#endif
