/*
 * keep_layer.h: --keep-layer, the copy of a finished container's writable
 * layer into a new host directory, walked with openat(O_NOFOLLOW) and
 * written only relative to directory fds under that new directory, so no
 * symbolic link (made by the container, or left in a reused directory)
 * can send a write elsewhere on the host. What is copied: keep_policy.h.
 */
#ifndef ISOLAB_CONTAINER_KEEP_LAYER_H
#define ISOLAB_CONTAINER_KEEP_LAYER_H

#include <stdbool.h>

#include "common/error.h"

/* What was left out or changed, for main() to say. */
struct ctr_keep_counts {
	unsigned devices;   /* device nodes skipped */
	unsigned special;   /* FIFOs and sockets skipped */
	unsigned stripped;  /* files and directories whose setuid/setgid bits went */
};

/* Creates dst (its parents as needed; dst itself must not exist: EEXIST
 * is an error) and copies the tree at src into it: directories, regular
 * files, symbolic links, whiteouts, owners, modes, times and overlayfs
 * xattrs. */
int ctr_keep_layer_copy(const char *src, const char *dst, bool keep_devices,
			struct ctr_keep_counts *counts, struct isolab_error *err);

#endif
