/* fds.c: every inherited fd close-on-exec before the container's program runs (see fds.h). */
#include "container/fds.h"
#include "common/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2) /* include/uapi/linux/close_range.h */
#endif

bool ctr_fd_from_name(const char *name, int *fd)
{
	long v = 0;

	if (*name == '\0')
		return false;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9' || v > INT_MAX / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v > INT_MAX)
		return false;
	*fd = (int)v;
	return true;
}

static int cloexec_by_listing(int first)
{
	_cleanup_close_ int listfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;
	struct dirent *de;

	if (listfd < 0)
		return -errno;
	dir = fdopendir(listfd);
	if (dir == NULL)
		return -errno;
	listfd = -1; /* closedir closes it */
	while ((de = readdir(dir)) != NULL) {
		int fd, flags;

		if (!ctr_fd_from_name(de->d_name, &fd) || fd < first || fd == dirfd(dir))
			continue;
		flags = fcntl(fd, F_GETFD);
		if (flags >= 0 && !(flags & FD_CLOEXEC))
			fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	}
	closedir(dir);
	return 0;
}

int ctr_fds_cloexec_from(int first)
{
	if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -errno;
	return cloexec_by_listing(first); /* before Linux 5.11 */
}
