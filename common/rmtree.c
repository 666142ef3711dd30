/* rmtree.c: rm -rf with nftw(3), depth first, no symlinks, no other mounts (see rmtree.h). */
#include "common/rmtree.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>

static __thread int first_error;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DNR && first_error == 0)
		first_error = -EACCES;
	if (remove(path) < 0 && errno != ENOENT && first_error == 0)
		first_error = -errno;
	return 0;
}

int isolab_rm_rf(const char *path)
{
	first_error = 0;
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
		return -errno;
	return first_error;
}
