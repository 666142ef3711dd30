/* build_copy.c: the build context, COPY/ADD sources, and files copied into a layer tree (see build_copy.h). */
#include "engine/lib/build_copy.h"
#include "common/cleanup.h"
#include "common/safe_open.h"
#include "engine/lib/dockerignore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* .dockerignore is read whole: a bound, as for every file a user gives. */
#define IGNORE_MAX (1u << 20)
/* Directory depth a copy follows (a bound on hostile trees). */
#define DEPTH_MAX 256

static int open_beneath(int dirfd, const char *rel, int flags, unsigned long long resolve)
{
	struct open_how how = { .flags = (unsigned long long)flags | O_CLOEXEC, .resolve = resolve };

	return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

/* ---- the context ---- */

static bool excluded(const struct eng_ignore *ig, const char *rel)
{
	return ig != NULL && eng_ignore_match(ig, rel);
}

/* Adds up what the context holds, not excluded (depth-first, no links). */
static void measure(struct eng_context *c, int dfd, char *rel, size_t len, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > DEPTH_MAX)
		return;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		size_t n;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n = (size_t)snprintf(rel + len, 4096 - len, "%s%s", len ? "/" : "", de->d_name);
		if (len + n >= 4096 || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (!excluded(c->ignore, rel) || eng_ignore_must_descend(c->ignore, rel)) {
				int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
									  O_CLOEXEC);

				if (fd >= 0)
					measure(c, fd, rel, len + n, depth + 1);
			}
		} else if (!excluded(c->ignore, rel) && S_ISREG(st.st_mode)) {
			c->bytes += (uint64_t)st.st_size;
			c->files++;
		}
		rel[len] = '\0';
	}
	closedir(d);
}

int eng_context_open(struct eng_context *c, const char *dir, struct isolab_error *err)
{
	char path[4200], rel[4096] = "";
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	struct stat st;
	int fd;

	memset(c, 0, sizeof(*c));
	if (realpath(dir, c->dir) == NULL)
		return isolab_error_errno(err, -errno, "build context `%s`", dir);
	if (stat(c->dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return isolab_error_set(err, -ENOTDIR, "build context `%s`: not a directory", dir);
	snprintf(path, sizeof(path), "%s/.dockerignore", c->dir);
	if (access(path, F_OK) == 0) {
		if (isolab_read_regular(path, IGNORE_MAX, &text, &len, err) < 0 ||
		    eng_ignore_parse(text, len, &c->ignore, err) < 0)
			return isolab_error_wrap(err, "build context");
	}
	fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "build context `%s`", dir);
	measure(c, fd, rel, 0, 0);
	return 0;
}

void eng_context_close(struct eng_context *c)
{
	eng_ignore_free(c->ignore);
	c->ignore = NULL;
}

/* ---- sources ---- */

void eng_copy_sources_free(char **paths, size_t n)
{
	for (size_t i = 0; paths != NULL && i < n; i++)
		free(paths[i]);
	free(paths);
}

static int push_path(char ***paths, size_t *n, const char *p)
{
	char **grown = realloc(*paths, (*n + 1) * sizeof(*grown));

	if (grown == NULL)
		return -ENOMEM;
	*paths = grown;
	grown[*n] = strdup(p);
	if (grown[*n] == NULL)
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "./a//b/" -> "a/b"; "." or "/" -> ""; -EINVAL for a `..` that leaves. */
static int clean_rel(const char *src, char *out, size_t size)
{
	const char *p = src;
	size_t len = 0;

	out[0] = '\0';
	while (*p) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p = end;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;

			if (len == 0)
				return -EINVAL;
			slash = strrchr(out, '/');
			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			p = end;
			continue;
		}
		if (len + n + 2 > size)
			return -ENAMETOOLONG;
		len += (size_t)snprintf(out + len, size - len, "%s%.*s", len ? "/" : "", (int)n, p);
		p = end;
	}
	return 0;
}

int eng_copy_sources(const char *root, const struct eng_ignore *ig, const char *src,
		     const char *what, char ***paths, size_t *n, struct isolab_error *err)
{
	char rel[4096], dir[4096];
	const char *base, *slash;
	_cleanup_close_ int rootfd = -1, dfd = -1;
	DIR *d;
	struct dirent *de;
	struct stat st;
	int rc;

	*paths = NULL;
	*n = 0;
	if (clean_rel(src, rel, sizeof(rel)) < 0)
		return isolab_error_set(err, -EINVAL, "%s `%s`: outside the build context", what, src);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return isolab_error_errno(err, -errno, "%s: `%s`", what, root);
	if (strpbrk(rel, "*?[") == NULL) {
		_cleanup_close_ int fd = rel[0] ? open_beneath(rootfd, rel, O_PATH | O_NOFOLLOW,
							       RESOLVE_IN_ROOT) : dup(rootfd);

		if (fd < 0 || (rel[0] && excluded(ig, rel)))
			return isolab_error_set(err, -ENOENT, "%s `%s`: not found in the build context",
						what, src);
		rc = push_path(paths, n, rel);
		return rc < 0 ? isolab_error_set(err, rc, "out of memory") : 0;
	}
	/* a pattern: only in its last component, as Docker's filepath.Match */
	slash = strrchr(rel, '/');
	base = slash ? slash + 1 : rel;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - rel) : 0, rel);
	if (strpbrk(dir, "*?[") != NULL)
		return isolab_error_set(err, -EINVAL, "%s `%s`: a pattern only in the last component "
					"is supported", what, src);
	dfd = dir[0] ? open_beneath(rootfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
				    RESOLVE_IN_ROOT)
		     : openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return isolab_error_set(err, -ENOENT, "%s `%s`: not found in the build context", what,
					src);
	d = fdopendir(dfd);
	if (d == NULL)
		return isolab_error_errno(err, -errno, "%s `%s`", what, src);
	(void)isolab_take_fd(&dfd); /* the DIR owns it */
	rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char full[4200];

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (fnmatch(base, de->d_name, FNM_PERIOD) != 0)
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s%s%s", dir, dir[0] ? "/" : "",
				     de->d_name) >= sizeof(full))
			continue;
		if (excluded(ig, full) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		rc = push_path(paths, n, full);
	}
	closedir(d);
	if (rc < 0) {
		eng_copy_sources_free(*paths, *n);
		*paths = NULL, *n = 0;
		return isolab_error_set(err, rc, "out of memory");
	}
	if (*n == 0)
		return isolab_error_set(err, -ENOENT, "%s `%s`: no file in the build context matches",
					what, src);
	qsort(*paths, *n, sizeof(**paths), by_name);
	return 0;
}

/* ---- copying ---- */

struct copier {
	const struct eng_copy_opts *o;
	struct isolab_error *err;
	const char *what_root; /* for messages */
};

static void hash_entry(struct copier *c, const char *rel, const struct stat *st, const char *extra)
{
	char line[4400];
	int n;

	if (c->o->hash == NULL)
		return;
	n = snprintf(line, sizeof(line), "%s%c%o%c%d:%d%c%s%c", rel, 0, (unsigned)st->st_mode, 0,
		     c->o->uid < 0 ? 0 : c->o->uid, c->o->gid < 0 ? 0 : c->o->gid, 0,
		     extra ? extra : "", 0);
	if (n > 0)
		eng_hasher_update(c->o->hash, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line));
}

/* Owner, mode (after the owner: chown clears setuid), times of what is at to_fd/name. */
static int finish(struct copier *c, int to_dirfd, const char *name, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	uid_t uid = c->o->uid < 0 ? 0 : (uid_t)c->o->uid;
	gid_t gid = c->o->gid < 0 ? 0 : (gid_t)c->o->gid;

	mode_t mode = c->o->mode >= 0 ? (mode_t)c->o->mode : st->st_mode & 07777;

	if (fchownat(to_dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(st->st_mode) && fchmodat(to_dirfd, name, mode, 0) < 0) ||
	    utimensat(to_dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return isolab_error_errno(c->err, -errno, "copy `%s`: owner, mode or times", name);
	return 0;
}

static int copy_file(struct copier *c, int from_dirfd, const char *from_name, int to_dirfd,
		     const char *to_name, const char *rel, const struct stat *st)
{
	_cleanup_close_ int in = openat(from_dirfd, from_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	struct eng_hasher *h = NULL;
	struct eng_digest d;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return isolab_error_errno(c->err, -errno, "copy `%s`", rel);
	unlinkat(to_dirfd, to_name, 0); /* a later COPY replaces a file */
	out = openat(to_dirfd, to_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return isolab_error_errno(c->err, -errno, "copy `%s`: create", rel);
	if (c->o->hash != NULL && (h = eng_hasher_new()) == NULL)
		return isolab_error_set(c->err, -ENOMEM, "out of memory");
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(out, buf, (size_t)n) != n) {
			eng_hasher_free(h);
			return isolab_error_errno(c->err, -errno, "copy `%s`", rel);
		}
		if (h != NULL)
			eng_hasher_update(h, buf, (size_t)n);
	}
	if (h != NULL) {
		eng_hasher_final(h, &d);
		hash_entry(c, rel, st, d.str);
	}
	return finish(c, to_dirfd, to_name, st);
}

static int copy_tree(struct copier *c, int from_dirfd, const char *from_name, int to_dirfd,
		     const char *to_name, char *rel, size_t len, int depth);

static int copy_dir(struct copier *c, int from_fd, int to_dirfd, const char *to_name, char *rel,
		    size_t len, const struct stat *st, int depth)
{
	_cleanup_close_ int to = -1;
	struct dirent **list = NULL;
	int n, rc = 0;

	if (mkdirat(to_dirfd, to_name, 0755) < 0 && errno != EEXIST)
		return isolab_error_errno(c->err, -errno, "copy `%s`: mkdir", rel);
	to = openat(to_dirfd, to_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (to < 0)
		return isolab_error_errno(c->err, -errno, "copy `%s`: open", rel);
	n = scandirat(from_fd, ".", &list, NULL, alphasort);
	if (n < 0)
		return isolab_error_errno(c->err, -errno, "copy `%s`: read the directory", rel);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t k;

		if (rc == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			k = (size_t)snprintf(rel + len, 4096 - len, "%s%s", len ? "/" : "", name);
			if (len + k >= 4096)
				rc = isolab_error_set(c->err, -ENAMETOOLONG, "copy: path too long");
			else
				rc = copy_tree(c, from_fd, name, to, name, rel, len + k, depth + 1);
			rel[len] = '\0';
		}
		free(list[i]);
	}
	free(list);
	if (rc == 0)
		hash_entry(c, rel, st, NULL);
	return rc == 0 ? finish(c, to_dirfd, to_name, st) : rc;
}

/* One entry: rel names it inside the source root (for ignore rules). */
static int copy_tree(struct copier *c, int from_dirfd, const char *from_name, int to_dirfd,
		     const char *to_name, char *rel, size_t len, int depth)
{
	struct stat st;

	if (depth > DEPTH_MAX)
		return isolab_error_set(c->err, -ELOOP, "copy `%s`: deeper than %d", rel, DEPTH_MAX);
	if (fstatat(from_dirfd, from_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return isolab_error_errno(c->err, -errno, "copy `%s`", rel);
	if (S_ISDIR(st.st_mode)) {
		bool out = len > 0 && excluded(c->o->ig, rel);

		if (out && !eng_ignore_must_descend(c->o->ig, rel))
			return 0;
		_cleanup_close_ int fd = openat(from_dirfd, from_name,
						O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0)
			return isolab_error_errno(c->err, -errno, "copy `%s`", rel);
		return copy_dir(c, fd, to_dirfd, to_name, rel, len, &st, depth);
	}
	if (len > 0 && excluded(c->o->ig, rel))
		return 0;
	if (S_ISREG(st.st_mode))
		return copy_file(c, from_dirfd, from_name, to_dirfd, to_name, rel, &st);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(from_dirfd, from_name, target, sizeof(target) - 1);

		if (n < 0)
			return isolab_error_errno(c->err, -errno, "copy `%s`: readlink", rel);
		target[n] = '\0';
		unlinkat(to_dirfd, to_name, 0);
		if (symlinkat(target, to_dirfd, to_name) < 0)
			return isolab_error_errno(c->err, -errno, "copy `%s`: symlink", rel);
		hash_entry(c, rel, &st, target);
		return finish(c, to_dirfd, to_name, &st);
	}
	return 0; /* devices, FIFOs, sockets: not copied (as Docker's COPY) */
}

/* A parent directory this copy makes in the layer tree: as the image has
 * it (owner, mode, time: the layer must not change it), else 0755 and
 * --chown's owner, as Docker and buildah make it. */
static int parent_meta(int fd, const char *name, const char *prefix,
		       const struct eng_copy_opts *o)
{
	struct stat st;

	for (size_t i = o->n_lower; i-- > 0;) {
		char path[8400];

		snprintf(path, sizeof(path), "%s/%s", o->lower[i], prefix);
		if (lstat(path, &st) == 0) {
			struct timespec ts[2] = { st.st_atim, st.st_mtim };

			if (!S_ISDIR(st.st_mode))
				break; /* a file there: overlay shows the new dir */
			if (fchownat(fd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
			    fchmodat(fd, name, st.st_mode & 07777, 0) < 0 ||
			    utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
				return -errno;
			return 0;
		}
	}
	if (fchownat(fd, name, o->uid < 0 ? 0 : (uid_t)o->uid, o->gid < 0 ? 0 : (gid_t)o->gid,
		     AT_SYMLINK_NOFOLLOW) < 0 || fchmodat(fd, name, 0755, 0) < 0)
		return -errno;
	return 0;
}

/* Makes dest's parent dirs under layerfd; returns the fd of the parent and
 * the last component in *name. */
static int make_parents(int layerfd, const char *dest, char *name, size_t size,
			const struct eng_copy_opts *o, struct isolab_error *err)
{
	char rel[4096], *slash;
	int fd = dup(layerfd);

	if (fd < 0 || clean_rel(dest, rel, sizeof(rel)) < 0) {
		if (fd >= 0)
			close(fd);
		return isolab_error_set(err, -EINVAL, "copy: bad destination `%s`", dest);
	}
	for (char *p = rel;; p = slash + 1) {
		int next, rc = 0;

		slash = strchr(p, '/');
		if (slash == NULL) {
			if (strlen(p) >= size) {
				close(fd);
				return isolab_error_set(err, -ENAMETOOLONG, "copy: name too long");
			}
			memcpy(name, p, strlen(p) + 1);
			return fd;
		}
		*slash = '\0';
		if (mkdirat(fd, p, 0755) == 0)
			rc = parent_meta(fd, p, rel, o);
		else if (errno != EEXIST)
			rc = -errno;
		if (rc < 0) {
			close(fd);
			return isolab_error_errno(err, rc, "copy: mkdir `%s`", rel);
		}
		next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		*slash = '/';
		if (next < 0)
			return isolab_error_errno(err, -errno, "copy: `%s`", p);
		fd = next;
	}
}

int eng_copy_into(const char *root, const char *rel, const char *layer, const char *dest,
		  bool into_dir, const struct eng_copy_opts *o, struct isolab_error *err)
{
	struct copier c = { o, err, root };
	_cleanup_close_ int rootfd = -1, layerfd = -1, parent = -1, src_parent = -1;
	char name[256] = "", target[4352], relbuf[4096], srcname[256];
	const char *base;
	struct stat st;

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	layerfd = open(layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || layerfd < 0)
		return isolab_error_errno(err, -errno, "copy: open `%s` or `%s`", root, layer);
	snprintf(relbuf, sizeof(relbuf), "%s", rel);
	/* the source's parent, opened inside root */
	base = strrchr(rel, '/');
	if (base != NULL) {
		char dir[4096];

		snprintf(dir, sizeof(dir), "%.*s", (int)(base - rel), rel);
		src_parent = open_beneath(rootfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
					  RESOLVE_IN_ROOT);
		base++;
	} else {
		src_parent = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		base = rel;
	}
	if (src_parent < 0)
		return isolab_error_errno(err, -errno, "copy `%s`", rel);
	snprintf(srcname, sizeof(srcname), "%s", base[0] ? base : ".");
	if (fstatat(src_parent, srcname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return isolab_error_errno(err, -errno, "copy `%s`", rel);
	/* COPY dir/ /x: the directory's contents go into /x; COPY f /x/: /x/f */
	if (into_dir && !S_ISDIR(st.st_mode))
		snprintf(target, sizeof(target), "%s/%s", dest, srcname);
	else
		snprintf(target, sizeof(target), "%s", dest);
	parent = make_parents(layerfd, target, name, sizeof(name), o, err);
	if (parent < 0)
		return parent;
	if (name[0] == '\0') { /* COPY dir / : into the root itself */
		_cleanup_close_ int fd = openat(src_parent, srcname,
						O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0)
			return isolab_error_set(err, -EINVAL, "copy `%s` to `/`: not a directory", rel);
		return copy_dir(&c, fd, layerfd, ".", relbuf, strlen(rel), &st, 0);
	}
	return copy_tree(&c, src_parent, srcname, parent, name, relbuf, strlen(rel), 0);
}

bool eng_copy_is_archive(const char *path)
{
	unsigned char head[512];
	_cleanup_close_ int fd = isolab_open_regular(path, NULL, NULL);
	ssize_t n;

	if (fd < 0)
		return false;
	n = pread(fd, head, sizeof(head), 0);
	if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		return true;
	return n == 512 && memcmp(head + 257, "ustar", 5) == 0;
}
