/* keep_policy.c: what --keep-layer copies, skips and strips (see keep_policy.h). */
#include "container/keep_policy.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

enum ctr_keep_action ctr_keep_decide(mode_t st_mode, dev_t rdev, bool keep_devices,
				     mode_t *mode, bool *stripped)
{
	mode_t perm = st_mode & 07777;

	*stripped = (perm & (S_ISUID | S_ISGID)) != 0;
	*mode = perm & ~(mode_t)(S_ISUID | S_ISGID);
	switch (st_mode & S_IFMT) {
	case S_IFDIR:
		return CTR_KEEP_DIR;
	case S_IFREG:
		return CTR_KEEP_FILE;
	case S_IFLNK:
		*stripped = false;
		return CTR_KEEP_SYMLINK;
	case S_IFCHR:
		/* Documentation/filesystems/overlayfs.rst "whiteouts": 0/0 */
		if ((major(rdev) == 0 && minor(rdev) == 0) || keep_devices)
			return CTR_KEEP_NODE;
		return CTR_KEEP_SKIP_DEVICE;
	case S_IFBLK:
		return keep_devices ? CTR_KEEP_NODE : CTR_KEEP_SKIP_DEVICE;
	default:
		*stripped = false;
		return CTR_KEEP_SKIP_SPECIAL;
	}
}

bool ctr_keep_xattr(const char *name)
{
	/* overlayfs.rst: "trusted.overlay." (or "user.overlay." with userxattr) */
	return strncmp(name, "trusted.overlay.", 16) == 0 ||
	       strncmp(name, "user.overlay.", 13) == 0;
}
