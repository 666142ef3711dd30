/* keep_layer.c: copying the writable layer out without following anything (see keep_layer.h). */
#include "container/keep_layer.h"
#include "common/cleanup.h"
#include "common/mkdir.h"
#include "container/keep_policy.h"
#include "container/rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define KEEP_MAX_DEPTH 256 /* deeper trees are refused, not recursed into */

struct walk {
	bool keep_devices;
	struct ctr_keep_counts *counts;
	struct isolab_error *err;
};

/* overlayfs xattrs from src to dst, both O_PATH-free fds of the entry. */
static int copy_xattrs(int src, int dst)
{
	char names[4096];
	ssize_t len = flistxattr(src, names, sizeof(names));

	if (len < 0)
		return errno == ENOTSUP ? 0 : -errno;
	for (ssize_t off = 0; off < len; off += (ssize_t)strlen(names + off) + 1) {
		char value[4096];
		ssize_t n;

		if (!ctr_keep_xattr(names + off))
			continue;
		n = fgetxattr(src, names + off, value, sizeof(value));
		if (n < 0 || fsetxattr(dst, names + off, value, (size_t)n, 0) < 0)
			return -errno;
	}
	return 0;
}

/* Owner, mode (already filtered), times, xattrs of an open dst. */
static int finish(int src, int dst, const struct stat *st, mode_t mode)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (fchown(dst, st->st_uid, st->st_gid) < 0 || fchmod(dst, mode) < 0)
		return -errno;
	if (copy_xattrs(src, dst) < 0)
		return -errno;
	if (futimens(dst, times) < 0)
		return -errno;
	return 0;
}

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st, mode_t mode)
{
	_cleanup_close_ int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	_cleanup_close_ int out = -1;
	struct stat now;

	if (in < 0 || fstat(in, &now) < 0)
		return -errno;
	if (!S_ISREG(now.st_mode))
		return -EINVAL;
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	for (off_t left = now.st_size; left > 0;) {
		ssize_t n = sendfile(out, in, NULL, left > (1 << 30) ? (1 << 30) : (size_t)left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0; /* shrank meanwhile: keep what there was */
		left -= n;
	}
	return finish(in, out, st, mode);
}

static int copy_dir(int sdir, int ddir, const char *path, int depth, struct walk *w);

static int copy_entry(int sdir, int ddir, const char *path, const char *name, int depth,
		      struct walk *w)
{
	struct stat st;
	mode_t mode;
	bool stripped;
	int rc = 0;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return isolab_error_errno(w->err, -errno, "--keep-layer: stat `%s/%s`", path, name);
	switch (ctr_keep_decide(st.st_mode, st.st_rdev, w->keep_devices, &mode, &stripped)) {
	case CTR_KEEP_DIR: {
		_cleanup_close_ int s = -1, d = -1;
		char sub[PATH_MAX];

		if (depth >= KEEP_MAX_DEPTH)
			return isolab_error_set(w->err, -ELOOP,
						"--keep-layer: `%s/%s`: more than %d levels deep", path,
						name, KEEP_MAX_DEPTH);
		snprintf(sub, sizeof(sub), "%s/%s", path, name);
		if (mkdirat(ddir, name, 0700) < 0)
			return isolab_error_errno(w->err, -errno, "--keep-layer: create `%s`", sub);
		s = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return isolab_error_errno(w->err, -errno, "--keep-layer: open `%s`", sub);
		rc = copy_dir(s, d, sub, depth + 1, w);
		if (rc == 0 && (rc = finish(s, d, &st, mode)) < 0)
			return isolab_error_errno(w->err, rc, "--keep-layer: attributes of `%s`", sub);
		break;
	}
	case CTR_KEEP_FILE:
		rc = copy_file(sdir, ddir, name, &st, mode);
		if (rc < 0)
			return isolab_error_errno(w->err, rc, "--keep-layer: copy `%s/%s`", path, name);
		break;
	case CTR_KEEP_SYMLINK: {
		char target[PATH_MAX];
		ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);

		if (n < 0)
			return isolab_error_errno(w->err, -errno, "--keep-layer: read link `%s/%s`",
						  path, name);
		target[n] = '\0';
		if (symlinkat(target, ddir, name) < 0 ||
		    fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return isolab_error_errno(w->err, -errno, "--keep-layer: link `%s/%s`", path,
						  name);
		break;
	}
	case CTR_KEEP_NODE:
		if (mknodat(ddir, name, (st.st_mode & S_IFMT) | mode, st.st_rdev) < 0 ||
		    fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return isolab_error_errno(w->err, -errno, "--keep-layer: node `%s/%s`", path,
						  name);
		break;
	case CTR_KEEP_SKIP_DEVICE:
		w->counts->devices++;
		return 0;
	case CTR_KEEP_SKIP_SPECIAL:
		w->counts->special++;
		return 0;
	}
	if (stripped)
		w->counts->stripped++;
	return rc;
}

static int copy_dir(int sdir, int ddir, const char *path, int depth, struct walk *w)
{
	int listfd = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;
	struct dirent *de;
	int rc = 0;

	if (listfd < 0 || (dir = fdopendir(listfd)) == NULL) {
		rc = isolab_error_errno(w->err, -errno, "--keep-layer: read `%s`", path);
		if (listfd >= 0)
			close(listfd);
		return rc;
	}
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rc = copy_entry(sdir, ddir, path, de->d_name, depth, w);
	}
	closedir(dir);
	return rc;
}

int ctr_keep_layer_copy(const char *src, const char *dst, bool keep_devices,
			struct ctr_keep_counts *counts, struct isolab_error *err)
{
	_cleanup_close_ int s = -1, d = -1;
	struct walk w = { keep_devices, counts, err };
	char parent[PATH_MAX];
	char *slash;
	struct stat st;
	int rc;

	memset(counts, 0, sizeof(*counts));
	snprintf(parent, sizeof(parent), "%s", dst);
	slash = strrchr(parent, '/');
	if (slash != NULL && slash != parent) {
		*slash = '\0';
		rc = isolab_mkdir_p(parent, 0755);
		if (rc < 0)
			return isolab_error_errno(err, rc, "--keep-layer: create `%s`", parent);
	}
	/* A new directory only: one that exists may hold links planted by
	 * an earlier run's container. */
	if (mkdir(dst, 0700) < 0)
		return isolab_error_errno(err, -errno, "--keep-layer `%s`%s", dst,
					  errno == EEXIST ? " (it must be a new directory)" : "");
	d = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	s = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d < 0 || s < 0)
		return isolab_error_errno(err, -errno, "--keep-layer: open `%s`", d < 0 ? dst : src);
	rc = copy_dir(s, d, dst, 0, &w);
	if (rc < 0)
		return rc;
	if (fstat(s, &st) < 0)
		return isolab_error_errno(err, -errno, "--keep-layer: stat `%s`", src);
	rc = finish(s, d, &st, st.st_mode & 0777);
	if (rc < 0)
		return isolab_error_errno(err, rc, "--keep-layer: attributes of `%s`", dst);
	return 0;
}
