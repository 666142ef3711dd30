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
	/* procfs hands out a page or so per read: read to the end or the buffer's. */
	for (size_t total = 0;; total += (size_t)n) {
		n = total + 1 < len ? read(fd, buf + total, len - 1 - total) : 0;
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			return -errno;
		if (n == 0) {
			buf[total] = '\0';
			return 0;
		}
	}
}

const char *isolab_proc_stat_field(const char *text, int n)
{
	/* "PID (COMM) S PPID ...": fields from 3 on follow the last ')'. */
	const char *p = strrchr(text, ')');

	if (p == NULL || n < 3)
		return NULL;
	p++;
	for (int field = 3;; field++) {
		if (*p != ' ')
			return NULL;
		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '\n')
			return NULL;
		if (field == n)
			return p;
		p += strcspn(p, " \n");
	}
}
