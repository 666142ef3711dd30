/*
 * keep_policy.h: what --keep-layer may bring out of a container (pure).
 *
 * The writable layer is written by the container's root: whatever it made
 * would land on the host as root's. So only directories, regular files and
 * symbolic links (as links, never followed) are copied, plus overlayfs
 * whiteouts (0/0 character devices, which a layer needs); setuid and
 * setgid bits are stripped; other device nodes are skipped unless the
 * caller asked for them (--keep-devices); FIFOs and sockets are skipped.
 * Of the extended attributes only overlayfs's own (opaque directories,
 * redirects) are kept: security.capability would be a setuid bit by
 * another name.
 */
#ifndef ISOLAB_CONTAINER_KEEP_POLICY_H
#define ISOLAB_CONTAINER_KEEP_POLICY_H

#include <stdbool.h>
#include <sys/types.h>

enum ctr_keep_action {
	CTR_KEEP_DIR,
	CTR_KEEP_FILE,
	CTR_KEEP_SYMLINK,
	CTR_KEEP_NODE,          /* mknod: a whiteout, or a device with --keep-devices */
	CTR_KEEP_SKIP_DEVICE,   /* a device node, not kept */
	CTR_KEEP_SKIP_SPECIAL,  /* a FIFO, a socket, an unknown type */
};

/* What --keep-layer does with an entry of this st_mode and st_rdev;
 * *mode gets the mode to create it with (permission bits, setuid and
 * setgid cleared, *stripped set if that changed anything). */
enum ctr_keep_action ctr_keep_decide(mode_t st_mode, dev_t rdev, bool keep_devices,
				     mode_t *mode, bool *stripped);

/* Whether an extended attribute of that name is copied. */
bool ctr_keep_xattr(const char *name);

#endif
