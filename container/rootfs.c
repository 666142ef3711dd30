/* rootfs.c: the layers, the state dir, its tmpfs and the overlay (see
 * rootfs.h); the child's mounts are mounts.c's. */
#include "container/rootfs.h"
#include "common/mkdir.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- pure part ---- */

int ctr_overlay_options(char *const *layers, size_t n, const char *upper,
			const char *work, char *buf, size_t len)
{
	size_t used;
	int w;

	w = snprintf(buf, len, "lowerdir=");
	if (w < 0 || (size_t)w >= len || n == 0)
		return -EINVAL;
	used = (size_t)w;
	for (size_t i = n; i-- > 0;) {
		w = snprintf(buf + used, len - used, "%s%s", layers[i], i ? ":" : "");
		if (w < 0 || (size_t)w >= len - used)
			return -ENAMETOOLONG;
		used += (size_t)w;
	}
	if (upper != NULL) {
		w = snprintf(buf + used, len - used, ",upperdir=%s,workdir=%s", upper, work);
		if (w < 0 || (size_t)w >= len - used)
			return -ENAMETOOLONG;
	}
	return 0;
}

/* ---- parent side ---- */

int ctr_rootfs_resolve_layers(struct ctr_config *cfg, struct isolab_error *err)
{
	for (size_t i = 0; i < cfg->n_layers; i++) {
		char *abs = realpath(cfg->layers[i], NULL);
		struct stat st;

		if (abs == NULL)
			return isolab_error_errno(err, -errno, "root filesystem layer `%s`",
						  cfg->layers[i]);
		if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(abs);
			return isolab_error_set(err, -ENOTDIR,
						"root filesystem layer `%s`: not a directory",
						cfg->layers[i]);
		}
		if (strchr(abs, ':') || strchr(abs, ',')) {
			free(abs);
			return isolab_error_set(err, -EINVAL,
						"root filesystem layer `%s`: ':' or ',' in its path",
						cfg->layers[i]);
		}
		free(cfg->layers[i]);
		cfg->layers[i] = abs;
	}
	return 0;
}

int ctr_state_create(struct ctr_state *st, const struct ctr_config *cfg, const char *state_root,
		     bool in_host, struct isolab_error *err)
{
	int rc;

	memset(st, 0, sizeof(*st));
	/* Without in_host the tmpfs goes on the state root itself, inside the
	 * child's private mount namespace: nothing per container on the host
	 * (the cgroup's mkdir keeps names unique). */
	if (snprintf(st->dir, sizeof(st->dir), "%s%s%s", state_root, in_host ? "/" : "",
		     in_host ? cfg->id : "") >= (int)sizeof(st->dir))
		return isolab_error_set(err, -ENAMETOOLONG, "state dir for `%s`: too long", cfg->id);
	snprintf(st->root, sizeof(st->root), "%.4000s/root", st->dir);
	snprintf(st->upper, sizeof(st->upper), "%.4000s/upper", st->dir);

	if (mkdir(state_root, 0711) < 0 && errno != EEXIST) {
		rc = isolab_mkdir_p(state_root, 0711);
		if (rc < 0)
			return isolab_error_errno(err, rc, "create `%s`", state_root);
	}
	if (!in_host)
		return 0;
	if (mkdir(st->dir, 0711) < 0) {
		rc = isolab_error_errno(err, -errno, "create state dir `%s`", st->dir);
		if (rc == -EEXIST)
			isolab_error_wrap(err, "container `%s` already exists", cfg->id);
		return rc;
	}
	st->made_dir = true;
	rc = ctr_state_mount(st, cfg, err);
	if (rc < 0)
		ctr_state_destroy(st, NULL);
	return rc;
}

int ctr_state_mount(struct ctr_state *st, const struct ctr_config *cfg,
		    struct isolab_error *err)
{
	char work[PATH_MAX + 8], opts[8192], tmpfs_opts[64];
	uid_t root_uid = 0;
	gid_t root_gid = 0;
	int rc;

	if ((cfg->namespaces & CLONE_NEWUSER)) {
		for (size_t i = 0; i < cfg->n_uid_map; i++)
			if (cfg->uid_map[i].inside == 0)
				root_uid = cfg->uid_map[i].outside;
		for (size_t i = 0; i < cfg->n_gid_map; i++)
			if (cfg->gid_map[i].inside == 0)
				root_gid = cfg->gid_map[i].outside;
	}
	snprintf(work, sizeof(work), "%.4000s/work", st->dir);
	/* The writable layer's bound (config.h), besides --memory. */
	if (cfg->layer_size)
		snprintf(tmpfs_opts, sizeof(tmpfs_opts), "mode=0711,size=%llu",
			 (unsigned long long)cfg->layer_size);
	else
		snprintf(tmpfs_opts, sizeof(tmpfs_opts), "mode=0711");
	if (mount("isolab-ctr", st->dir, "tmpfs", MS_NOSUID | MS_NODEV, tmpfs_opts) < 0)
		return isolab_error_errno(err, -errno, "mount tmpfs on `%s`", st->dir);
	st->mounted_tmpfs = true;
	/* Private: nothing mounted below propagates to the host's peers. */
	if (mount(NULL, st->dir, NULL, MS_PRIVATE, NULL) < 0)
		return isolab_error_errno(err, -errno, "make `%s` private", st->dir);
	if (mkdir(st->root, 0755) < 0 || mkdir(st->upper, 0755) < 0 || mkdir(work, 0700) < 0)
		return isolab_error_errno(err, -errno, "create dirs in `%s`", st->dir);
	if ((root_uid || root_gid) &&
	    (chown(st->upper, root_uid, root_gid) < 0 || chown(work, root_uid, root_gid) < 0 ||
	     chown(st->root, root_uid, root_gid) < 0))
		return isolab_error_errno(err, -errno, "chown the writable layer to %u:%u",
					  (unsigned)root_uid, (unsigned)root_gid);
	rc = ctr_overlay_options(cfg->layers, cfg->n_layers, st->upper, work, opts, sizeof(opts));
	if (rc < 0)
		return isolab_error_set(err, rc, "overlay options: too many or too long layer paths");
	if (mount("overlay", st->root, "overlay", MS_NOSUID, opts) < 0)
		return isolab_error_errno(err, -errno, "mount overlay on `%s` (layers %s)", st->root,
					  opts);
	st->mounted_overlay = true;
	return 0;
}

int ctr_state_destroy(struct ctr_state *st, struct isolab_error *err)
{
	int rc = 0;

	/* One lazy unmount takes the tmpfs and the overlay on it. */
	if (st->mounted_tmpfs && umount2(st->dir, MNT_DETACH) < 0)
		rc = isolab_error_errno(err, -errno, "unmount `%s`", st->dir);
	st->mounted_tmpfs = st->mounted_overlay = false;
	if (st->made_dir && rc == 0) {
		if (rmdir(st->dir) < 0)
			rc = isolab_error_errno(err, -errno, "remove `%s`", st->dir);
		st->made_dir = false;
	}
	return rc;
}

int ctr_state_remove_stale(const char *state_root, const char *id, struct isolab_error *err)
{
	char dir[PATH_MAX];

	if (snprintf(dir, sizeof(dir), "%s/%s", state_root, id) >= (int)sizeof(dir))
		return isolab_error_set(err, -ENAMETOOLONG, "state dir for `%s`: too long", id);
	/* One lazy unmount takes the tmpfs and the overlay on it; more only if
	 * something else was stacked there. EINVAL: no longer a mount point;
	 * ENOENT: the container had no state dir on the host. */
	for (int i = 0; i < 16 && umount2(dir, MNT_DETACH | UMOUNT_NOFOLLOW) == 0; i++)
		;
	if (rmdir(dir) < 0 && errno != ENOENT)
		return isolab_error_errno(err, -errno, "remove state dir `%s`", dir);
	return 0;
}
