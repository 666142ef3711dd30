/* procfs.c: "Name: N kB" fields of procfs text, and reading it (see procfs.h). */
#include "common/procfs.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long long isolab_procfs_field(const char *text, const char *field)
{
	size_t flen = strlen(field);
	const char *p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, field, flen) == 0 && p[flen] == ':') {
			char *end;
			long long v = strtoll(p + flen + 1, &end, 10);

			if (end == p + flen + 1)
				return -1;
			while (*end == ' ')
				end++;
			return strncmp(end, "kB", 2) == 0 ? v * 1024 : v;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

int isolab_read_text(const char *path, char *buf, size_t len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (len == 0)
		return -EINVAL;
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}
