/* safe_open.c: open a user-named file, refusing all but regular files (see safe_open.h). */
#include "common/safe_open.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *isolab_file_kind(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "of an unknown type";
	}
}

int isolab_open_regular(const char *path, uint64_t *size, struct isolab_error *err)
{
	return isolab_open_regular_as(path, O_RDONLY, size, err);
}

int isolab_open_regular_as(const char *path, int access, uint64_t *size,
			   struct isolab_error *err)
{
	_cleanup_close_ int fd = open(path, access | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0)
		return isolab_error_set(err, -errno, "%s", strerror(errno));
	if (fstat(fd, &st) < 0)
		return isolab_error_errno(err, -errno, "fstat");
	if (!S_ISREG(st.st_mode))
		return isolab_error_set(err, -EINVAL, "not a regular file (%s)",
					isolab_file_kind(st.st_mode));
	if (size != NULL)
		*size = (uint64_t)st.st_size;
	return isolab_take_fd(&fd);
}

int isolab_read_regular(const char *path, size_t max, char **buf, size_t *len,
			struct isolab_error *err)
{
	uint64_t size = 0;
	_cleanup_close_ int fd = isolab_open_regular(path, &size, err);
	_cleanup_free_ char *data = NULL;
	size_t got = 0;

	if (fd < 0)
		return isolab_error_wrap(err, "read `%s`", path);
	if (size > max)
		return isolab_error_set(err, -EFBIG, "read `%s`: %llu bytes, more than %zu", path,
					(unsigned long long)size, max);
	data = malloc((size_t)size + 1);
	if (data == NULL)
		return isolab_error_set(err, -ENOMEM, "read `%s`: out of memory", path);
	while (got < (size_t)size) {
		ssize_t n = read(fd, data + got, (size_t)size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return isolab_error_errno(err, -errno, "read `%s`", path);
		if (n == 0)
			break; /* shrank meanwhile: what is there */
		got += (size_t)n;
	}
	data[got] = '\0';
	*buf = data;
	*len = got;
	data = NULL;
	return 0;
}
