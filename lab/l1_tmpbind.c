/*
 * lab/l1_tmpbind.c: isolab-l1-tmpbind, a static helper in the lab's L1
 * initramfs (stage 1 of lab/l1-init).
 *
 *   isolab-l1-tmpbind FROM TO
 *
 * For every entry of directory FROM (the host's /tmp as the overlay root
 * shows it), makes the same name in directory TO (a fresh tmpfs on /tmp)
 * and bind-mounts the entry there; a symbolic link is copied instead. Then
 * L1's /tmp shows what the host's /tmp had, and new directories in it live
 * on tmpfs, which can be an overlay's upper layer (an overlay cannot).
 * In C because a shell loop costs several forks per entry, each tens of
 * milliseconds under TCG. The host's /tmp changes while we read it: an
 * entry that cannot be bound (gone, say) is skipped with one line on stderr
 * (L1's console). Exit status: 0 done; 1 FROM could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"

/* is_dot_entry: "." and "..", which readdir returns and we skip. */
static int is_dot_entry(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

static int bind_entry(const char *from, const char *to, const char *name,
		      struct isolab_error *err)
{
	char src[PATH_MAX], dst[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if (snprintf(src, sizeof(src), "%s/%s", from, name) >= (int)sizeof(src) ||
	    snprintf(dst, sizeof(dst), "%s/%s", to, name) >= (int)sizeof(dst))
		return isolab_error_set(err, -ENAMETOOLONG, "path of `%s` too long", name);
	if (lstat(src, &st) < 0)
		return isolab_error_errno(err, -errno, "lstat `%s`", src);
	if (S_ISLNK(st.st_mode)) {
		n = readlink(src, link, sizeof(link) - 1);
		if (n < 0)
			return isolab_error_errno(err, -errno, "readlink `%s`", src);
		link[n] = '\0';
		if (symlink(link, dst) < 0)
			return isolab_error_errno(err, -errno, "symlink `%s`", dst);
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(dst, st.st_mode & 07777) < 0)
			return isolab_error_errno(err, -errno, "mkdir `%s`", dst);
	} else {
		fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return isolab_error_errno(err, -errno, "create `%s`", dst);
		close(fd);
	}
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
		int e = -errno;

		if (S_ISDIR(st.st_mode))
			rmdir(dst);
		else
			unlink(dst);
		return isolab_error_errno(err, e, "bind `%s` on `%s`", src, dst);
	}
	return 0;
}

static int bind_all(const char *from, const char *to, struct isolab_error *err)
{
	DIR *dir = opendir(from);
	struct dirent *de;
	int r = 0;

	if (!dir)
		return isolab_error_errno(err, -errno, "opendir `%s`", from);
	while ((errno = 0, de = readdir(dir)) != NULL) {
		struct isolab_error entry_err = { 0 };

		if (!is_dot_entry(de->d_name) && bind_entry(from, to, de->d_name, &entry_err) < 0)
			fprintf(stderr, "isolab-l1-tmpbind: skipped: %s\n", entry_err.msg);
	}
	if (errno != 0)
		r = isolab_error_errno(err, -errno, "readdir `%s`", from);
	closedir(dir);
	return r;
}

int main(int argc, char **argv)
{
	struct isolab_error err = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: isolab-l1-tmpbind FROM TO\n");
		return 1;
	}
	if (bind_all(argv[1], argv[2], &err) < 0) {
		fprintf(stderr, "isolab-l1-tmpbind: %s\n", err.msg);
		return 1;
	}
	return 0;
}
