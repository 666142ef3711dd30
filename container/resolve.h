/*
 * resolve.h: mount destinations looked up inside the container's root,
 * never as host paths. An image may hold symbolic links (/data ->
 * /tmp/hostvictim); resolved by the host, a volume or a mount point would
 * be created and mounted there. Lookups use openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) (Linux 5.6), so an absolute link or ".." stays
 * within the root, as runc's securejoin does; where openat2 is missing,
 * a walk of one O_NOFOLLOW component at a time that refuses symbolic
 * links. Missing directories are made with mkdirat relative to the fds
 * found, and the mount goes onto the resolved fd via /proc/self/fd/N.
 */
#ifndef ISOLAB_CONTAINER_RESOLVE_H
#define ISOLAB_CONTAINER_RESOLVE_H

#include "common/error.h"

enum ctr_resolve_create {
	CTR_RESOLVE_EXISTING, /* it must exist */
	CTR_RESOLVE_DIR,      /* create it (and its parents) as directories */
	CTR_RESOLVE_FILE,     /* parents as directories, itself an empty file */
};

/* An O_PATH fd (close-on-exec) of path inside the tree at rootfd, or a
 * negative errno with err naming path. */
int ctr_resolve_in_root(int rootfd, const char *path, enum ctr_resolve_create create,
			struct isolab_error *err);

/* "/proc/self/fd/N" for fd, in buf (at least 32 bytes); returns buf. */
char *ctr_fd_path(int fd, char *buf, unsigned long len);

#endif
