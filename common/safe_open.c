/* safe_open.c: open a user-named file, refusing all but regular files (see safe_open.h). */
#include "common/safe_open.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/cleanup.h"

int isolab_open_regular(const char *path, uint64_t *size, struct isolab_error *err)
{
	struct stat st;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return isolab_error_set(err, -errno, "%s", strerror(errno));
	if (fstat(fd, &st) < 0)
		return isolab_error_errno(err, -errno, "fstat");
	if (!S_ISREG(st.st_mode))
		return isolab_error_set(err, -EINVAL, "not a regular file");
	*size = (uint64_t)st.st_size;
	return isolab_take_fd(&fd);
}
