/* resolve.c: look up and create mount destinations inside the container's root (see resolve.h). */
#include "container/resolve.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

char *ctr_fd_path(int fd, char *buf, unsigned long len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

static bool have_openat2 = true;

/* Without openat2: one component at a time, no symbolic link, no "..". */
static int walk_nofollow(int rootfd, const char *path)
{
	char buf[PATH_MAX], *save = NULL;
	int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		close(cur);
		return -ENAMETOOLONG;
	}
	for (char *c = strtok_r(buf, "/", &save); c != NULL && cur >= 0;
	     c = strtok_r(NULL, "/", &save)) {
		struct stat st;
		int next;

		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			close(cur);
			return -EXDEV;
		}
		next = openat(cur, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		close(cur);
		if (next < 0)
			return -errno;
		if (fstat(next, &st) == 0 && S_ISLNK(st.st_mode)) {
			close(next);
			return -ELOOP;
		}
		cur = next;
	}
	return cur;
}

static int lookup(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (have_openat2) {
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS)
			return -errno;
		have_openat2 = false;
	}
	return walk_nofollow(rootfd, path);
}

int ctr_resolve_in_root(int rootfd, const char *path, enum ctr_resolve_create create,
			struct isolab_error *err)
{
	char prefix[PATH_MAX], dir[PATH_MAX];
	size_t len = strlen(path);
	int fd = lookup(rootfd, path);

	if (fd >= 0 || fd != -ENOENT || create == CTR_RESOLVE_EXISTING) {
		if (fd < 0)
			return isolab_error_errno(err, fd, "`%s` in the container", path);
		return fd;
	}
	if (len >= sizeof(prefix))
		return isolab_error_set(err, -ENAMETOOLONG, "`%s`: too long", path);
	/* Each missing level, made relative to its parent's fd. */
	for (size_t end = 1; end <= len; end++) {
		_cleanup_close_ int parent = -1;
		const char *name;
		bool last;

		if (end < len && path[end] != '/')
			continue;
		memcpy(prefix, path, end);
		prefix[end] = '\0';
		fd = lookup(rootfd, prefix);
		if (fd >= 0) {
			if (end < len)
				close(fd);
			continue;
		}
		if (fd != -ENOENT)
			return isolab_error_errno(err, fd, "`%s` in the container", prefix);
		name = strrchr(prefix, '/'); /* destinations are absolute */
		name = name ? name + 1 : prefix;
		snprintf(dir, sizeof(dir), "%.*s", (int)(name - prefix), prefix);
		parent = lookup(rootfd, dir[0] ? dir : "/");
		if (parent < 0)
			return isolab_error_errno(err, parent, "`%s` in the container", dir);
		last = end == len;
		if (last && create == CTR_RESOLVE_FILE) {
			int f = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				       0644);

			if (f < 0)
				return isolab_error_errno(err, -errno, "create `%s` in the container", path);
			close(f);
		} else if (mkdirat(parent, name, 0755) < 0) {
			/* EEXIST here: a dangling symbolic link. */
			return isolab_error_errno(err, -errno, "create `%.*s` in the container",
						  (int)end, path);
		}
		memcpy(prefix, path, end);
		prefix[end] = '\0';
		fd = lookup(rootfd, prefix);
		if (fd < 0)
			return isolab_error_errno(err, fd, "`%s` in the container", prefix);
		if (!last)
			close(fd);
	}
	return fd;
}
