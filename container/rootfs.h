/*
 * rootfs.h: the container's root file system, the runtime's side.
 *
 * The parent (host mount namespace) makes the state directory
 * <state root>/<id> (the state root is /run/isolab-ctr unless --root
 * says otherwise), mounts a private tmpfs on it and an overlay at
 * <state>/root whose lower dirs are the image layers and whose upper and
 * work dirs live on that tmpfs, so any host file system (ext4, 9p, an
 * overlay) can hold the layers. The child, in its own mount namespace,
 * then makes the configured mounts and pivots into the overlay (mounts.h).
 */
#ifndef ISOLAB_CONTAINER_ROOTFS_H
#define ISOLAB_CONTAINER_ROOTFS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/config.h"

/* The default state root (runc's is /run/runc). */
#define CTR_STATE_ROOT "/run/isolab-ctr"

struct ctr_state {
	char dir[PATH_MAX];   /* <state root>/<id> (a tmpfs once mounted) */
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

/* Parent side. With in_host: the state dir <state_root>/<id>, the
 * tmpfs and the overlay in the host's mount namespace (needed to read the
 * writable layer after exit, and with a user namespace). Without: only
 * paths; the child mounts the tmpfs over state_root in its own
 * namespace. On failure nothing is left. */
int ctr_state_create(struct ctr_state *st, const struct ctr_config *cfg, const char *state_root,
		     bool in_host, struct isolab_error *err);
/* The tmpfs on the state dir, upper/work/root in it, the overlay (in the
 * calling process's mount namespace). */
int ctr_state_mount(struct ctr_state *st, const struct ctr_config *cfg,
		    struct isolab_error *err);
/* Lazily unmounts and removes everything ctr_state_create made. */
int ctr_state_destroy(struct ctr_state *st, struct isolab_error *err);
/* The same for the state dir of a container whose runtime died: lazily
 * unmounts whatever is mounted on <state_root>/<id> and removes it
 * (absent is fine). */
int ctr_state_remove_stale(const char *state_root, const char *id, struct isolab_error *err);

#endif
