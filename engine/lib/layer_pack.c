/*
 * layer_pack.c: a directory into a deterministic gzip'd PAX tar (see
 * layer_pack.h).
 *
 * libarchive only formats the entries (archive_write with our write
 * callback); the walk is ours, with openat/fstatat on directory fds and
 * nothing followed; the callback hashes the tar (diff ID), deflates it
 * with zlib, and hashes and writes the gzip bytes (blob digest).
 */
#include "engine/lib/layer_pack.h"
#include "engine/lib/tarpath.h"
#include "common/cleanup.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>

#define PACK_CHUNK 65536
/* Every xattr of one node: at most this many bytes of names. */
#define XATTR_LIST_MAX_BYTES 65536

/* ---- The sink: tar bytes -> sha256 (diff ID) -> deflate -> sha256 (blob) -> fd ---- */

struct pack_sink {
	int fd;
	z_stream zs;
	bool zs_ready;
	struct eng_hasher *blob, *diff;
	uint64_t blob_size, tar_size;
	int rc; /* the sink's own error (err filled) */
	struct isolab_error *err;
	unsigned char out[PACK_CHUNK];
};

static int sink_write_out(struct pack_sink *s, size_t n)
{
	const unsigned char *p = s->out;
	size_t left = n;

	eng_hasher_update(s->blob, s->out, n);
	s->blob_size += n;
	while (left > 0) {
		ssize_t w = write(s->fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			s->rc = isolab_error_errno(s->err, -errno, "layer: write the blob");
			return s->rc;
		}
		p += w;
		left -= (size_t)w;
	}
	return 0;
}

/* Deflates what is in zs.next_in (flush: Z_NO_FLUSH or Z_FINISH). */
static int sink_deflate(struct pack_sink *s, int flush)
{
	for (;;) {
		int zrc;

		s->zs.next_out = s->out;
		s->zs.avail_out = sizeof(s->out);
		zrc = deflate(&s->zs, flush);
		if (zrc == Z_STREAM_ERROR) {
			s->rc = isolab_error_set(s->err, -EIO, "layer: zlib deflate failed");
			return s->rc;
		}
		if (sizeof(s->out) - s->zs.avail_out > 0 &&
		    sink_write_out(s, sizeof(s->out) - s->zs.avail_out) < 0)
			return s->rc;
		if (flush == Z_FINISH ? zrc == Z_STREAM_END
				      : (s->zs.avail_in == 0 && s->zs.avail_out > 0))
			return 0;
	}
}

static la_ssize_t sink_archive_write(struct archive *a, void *data, const void *buf, size_t len)
{
	struct pack_sink *s = data;

	if (s->rc < 0)
		return -1;
	eng_hasher_update(s->diff, buf, len);
	s->tar_size += len;
	s->zs.next_in = (Bytef *)(uintptr_t)buf; /* zlib does not write through next_in */
	s->zs.avail_in = (uInt)len;
	if (len > UINT32_MAX || sink_deflate(s, Z_NO_FLUSH) < 0) {
		archive_set_error(a, EIO, "layer sink failed");
		return -1;
	}
	return (la_ssize_t)len;
}

/* ---- The walk ---- */

struct seen_inode {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct packer {
	const char *src;
	enum eng_pack_mode mode;
	struct archive *a;
	struct archive_entry *e;
	struct pack_sink *sink;
	struct seen_inode *seen;
	size_t nseen, seen_cap;
	struct isolab_error *err;
	/* Work buffers, allocated once per pack: file data, xattr names
	 * (each takes at least 2 bytes of the list) and one value. */
	char *io;
	char *xlist;
	char **xnames;
	char *xvalue;
};

static int pack_fail(struct packer *p, int code, const char *path, const char *what)
{
	char shown[ENG_TARPATH_SHOW_MAX + 4];

	eng_tarpath_show(path, strlen(path), shown, sizeof(shown));
	return isolab_error_errno(p->err, code, "pack `%s`: `%s`: %s", p->src, shown, what);
}

static int pack_refuse(struct packer *p, const char *path, const char *why)
{
	char shown[ENG_TARPATH_SHOW_MAX + 4];

	eng_tarpath_show(path, strlen(path), shown, sizeof(shown));
	return isolab_error_set(p->err, -EINVAL, "pack `%s`: `%s`: %s", p->src, shown, why);
}

static int archive_fail(struct packer *p, const char *path)
{
	char shown[ENG_TARPATH_SHOW_MAX + 4];
	const char *why = archive_error_string(p->a);

	if (p->sink->rc < 0)
		return p->sink->rc;
	eng_tarpath_show(path, strlen(path), shown, sizeof(shown));
	return isolab_error_set(p->err, -EIO, "pack `%s`: `%s`: tar: %s", p->src, shown,
				why ? why : "unknown error");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The names in directory fd, sorted bytewise (the order of the tar). */
static int list_dir(int fd, char ***out, size_t *count)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int rc = 0;

	if (dfd < 0)
		return -errno;
	dir = fdopendir(dfd);
	if (dir == NULL) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **grown = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*names));

			if (grown == NULL) {
				rc = -ENOMEM;
				break;
			}
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	if (rc == 0 && errno != 0)
		rc = -errno;
	closedir(dir);
	if (rc < 0) {
		free_names(names, n);
		return rc;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*count = n;
	return 0;
}

/* The node's xattrs through fd (a real fd, or an O_PATH one via /proc). */
static ssize_t node_listxattr(int fd, bool opath, char *buf, size_t size)
{
	char proc[64];

	if (!opath)
		return flistxattr(fd, buf, size);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return listxattr(proc, buf, size);
}

static ssize_t node_getxattr(int fd, bool opath, const char *name, void *buf, size_t size)
{
	char proc[64];

	if (!opath)
		return fgetxattr(fd, name, buf, size);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return getxattr(proc, name, buf, size);
}

/*
 * Adds the kept xattrs of the node (fd) to p->e, sorted by name. Sets
 * *opaque for an overlay opaque directory (OVERLAY_UPPER mode); refuses an
 * overlay redirect or metacopy there.
 */
static int add_xattrs(struct packer *p, const char *path, int fd, bool opath, bool *opaque)
{
	char *list = p->xlist, *value = p->xvalue;
	char **names = p->xnames;
	size_t n = 0;
	ssize_t len;

	*opaque = false;
	len = node_listxattr(fd, opath, list, XATTR_LIST_MAX_BYTES);
	if (len < 0) {
		if (errno == ENOTSUP)
			return 0;
		return pack_fail(p, -errno, path, "list xattrs");
	}
	for (ssize_t i = 0; i < len; i += (ssize_t)strnlen(list + i, (size_t)(len - i)) + 1)
		if (list[i] != '\0' && n < XATTR_LIST_MAX_BYTES / 2)
			names[n++] = list + i;
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < n; i++) {
		enum eng_xattr_class class = eng_xattr_classify(names[i]);
		ssize_t vlen;

		if (class == ENG_XATTR_DROP)
			continue;
		vlen = node_getxattr(fd, opath, names[i], value, ENG_XATTR_VALUE_MAX);
		if (vlen < 0) {
			if (errno == ENODATA)
				continue; /* removed meanwhile */
			return pack_fail(p, -errno, path, "read an xattr");
		}
		if (class == ENG_XATTR_KEEP) {
			archive_entry_xattr_add_entry(p->e, names[i], value, (size_t)vlen);
			continue;
		}
		if (p->mode != ENG_PACK_OVERLAY_UPPER)
			continue;
		if (strcmp(names[i], ENG_OVERLAY_OPAQUE_XATTR) == 0)
			*opaque = vlen == 1 && value[0] == 'y';
		else if (strcmp(names[i], "trusted.overlay.redirect") == 0 ||
			 strcmp(names[i], "trusted.overlay.metacopy") == 0)
			return pack_refuse(p, path, "an overlay redirect or metacopy (mount the "
					   "container without redirect_dir and metacopy)");
	}
	return 0;
}

/* Writes p->e's header (pathname set by the caller). */
static int write_header(struct packer *p, const char *path)
{
	int r = archive_write_header(p->a, p->e);

	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return archive_fail(p, path);
	return 0;
}

static void entry_from_stat(struct packer *p, const char *path, const struct stat *st)
{
	archive_entry_clear(p->e);
	archive_entry_copy_pathname(p->e, path);
	archive_entry_set_mode(p->e, st->st_mode);
	archive_entry_set_uid(p->e, st->st_uid);
	archive_entry_set_gid(p->e, st->st_gid);
	archive_entry_set_mtime(p->e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

/* An empty regular entry standing for a whiteout or an opaque marker
 * (as docker writes them: mode 0600, the node's owner and mtime). */
static int write_marker(struct packer *p, const char *path, const struct stat *st)
{
	entry_from_stat(p, path, st);
	archive_entry_set_filetype(p->e, AE_IFREG);
	archive_entry_set_perm(p->e, 0600);
	archive_entry_set_size(p->e, 0);
	return write_header(p, path);
}

/* For a node with more than one link: the path it was first packed under,
 * or NULL (and it is remembered under path). */
static int hardlink_of(struct packer *p, const char *path, const struct stat *st,
		       const char **first)
{
	*first = NULL;
	if (st->st_nlink < 2)
		return 0;
	for (size_t i = 0; i < p->nseen; i++)
		if (p->seen[i].dev == st->st_dev && p->seen[i].ino == st->st_ino) {
			*first = p->seen[i].path;
			return 0;
		}
	if (p->nseen == p->seen_cap) {
		size_t cap = p->seen_cap ? p->seen_cap * 2 : 32;
		struct seen_inode *n = realloc(p->seen, cap * sizeof(*n));

		if (n == NULL)
			return pack_fail(p, -ENOMEM, path, "remember a hard link");
		p->seen = n;
		p->seen_cap = cap;
	}
	p->seen[p->nseen].path = strdup(path);
	if (p->seen[p->nseen].path == NULL)
		return pack_fail(p, -ENOMEM, path, "remember a hard link");
	p->seen[p->nseen].dev = st->st_dev;
	p->seen[p->nseen].ino = st->st_ino;
	p->nseen++;
	return 0;
}

static int pack_file_data(struct packer *p, const char *path, int fd, uint64_t size)
{
	char *buf = p->io;
	uint64_t done = 0;

	while (done < size) {
		size_t want = size - done < PACK_CHUNK ? (size_t)(size - done) : PACK_CHUNK;
		ssize_t n = read(fd, buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pack_fail(p, -errno, path, "read");
		if (n == 0)
			return pack_refuse(p, path, "shrank while being packed");
		if (archive_write_data(p->a, buf, (size_t)n) != n)
			return archive_fail(p, path);
		done += (uint64_t)n;
	}
	return 0;
}

static int pack_dir(struct packer *p, int dirfd, const char *prefix, int depth);

/* One node: dirfd/name, packed as path. */
static int pack_node(struct packer *p, int dirfd, const char *name, const char *path, int depth)
{
	_cleanup_close_ int fd = -1;
	const char *first;
	bool opaque = false, opath;
	struct stat st;
	int rc;

	if (strncmp(name, ENG_WHITEOUT_PREFIX, strlen(ENG_WHITEOUT_PREFIX)) == 0)
		return pack_refuse(p, path, "a name starting with `" ENG_WHITEOUT_PREFIX
				   "` would be a whiteout in a layer");
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return pack_fail(p, -errno, path, "stat");
	if (S_ISSOCK(st.st_mode))
		return 0;
	if (p->mode == ENG_PACK_OVERLAY_UPPER && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		char wh[PATH_MAX], dir[PATH_MAX];
		const char *base = eng_tarpath_split(path, dir, sizeof(dir));

		if (snprintf(wh, sizeof(wh), "%s%s" ENG_WHITEOUT_PREFIX "%s",
			     strcmp(dir, ".") ? dir : "", strcmp(dir, ".") ? "/" : "",
			     base) >= (int)sizeof(wh))
			return pack_refuse(p, path, "path too long");
		return write_marker(p, wh, &st);
	}
	/* Regular files and directories are opened for real (content, fd
	 * xattrs); anything else only as O_PATH: a FIFO or a device is never
	 * opened. O_NOFOLLOW everywhere: a symlink is packed as one. */
	opath = !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
	fd = openat(dirfd, name,
		    opath ? O_PATH | O_NOFOLLOW | O_CLOEXEC
			  : O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
				    (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
	if (fd < 0)
		return pack_fail(p, -errno, path, "open");
	{
		struct stat now;

		if (fstat(fd, &now) < 0)
			return pack_fail(p, -errno, path, "fstat");
		if (now.st_ino != st.st_ino || now.st_dev != st.st_dev ||
		    (now.st_mode & S_IFMT) != (st.st_mode & S_IFMT))
			return pack_refuse(p, path, "replaced while being packed");
		st = now;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = hardlink_of(p, path, &st, &first);
		if (rc < 0)
			return rc;
		if (first != NULL) {
			entry_from_stat(p, path, &st);
			archive_entry_set_filetype(p->e, AE_IFREG);
			archive_entry_set_size(p->e, 0);
			archive_entry_copy_hardlink(p->e, first);
			return write_header(p, path);
		}
	}
	entry_from_stat(p, path, &st);
	rc = add_xattrs(p, path, fd, opath, &opaque);
	if (rc < 0)
		return rc;
	if (S_ISREG(st.st_mode)) {
		archive_entry_set_size(p->e, st.st_size);
		rc = write_header(p, path);
		return rc < 0 ? rc : pack_file_data(p, path, fd, (uint64_t)st.st_size);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target));

		if (n < 0)
			return pack_fail(p, -errno, path, "readlink");
		if ((size_t)n >= sizeof(target))
			return pack_refuse(p, path, "symlink target too long");
		target[n] = '\0';
		archive_entry_copy_symlink(p->e, target);
		return write_header(p, path);
	}
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		archive_entry_set_rdevmajor(p->e, major(st.st_rdev));
		archive_entry_set_rdevminor(p->e, minor(st.st_rdev));
	}
	if (!S_ISDIR(st.st_mode))
		return write_header(p, path);
	rc = write_header(p, path);
	if (rc < 0)
		return rc;
	if (opaque) {
		char marker[PATH_MAX];

		if (snprintf(marker, sizeof(marker), "%s/" ENG_WHITEOUT_OPAQUE, path) >=
		    (int)sizeof(marker))
			return pack_refuse(p, path, "path too long");
		rc = write_marker(p, marker, &st);
		if (rc < 0)
			return rc;
	}
	return pack_dir(p, fd, path, depth + 1);
}

/* The content of directory dirfd, whose path in the tar is prefix ("" for the root). */
static int pack_dir(struct packer *p, int dirfd, const char *prefix, int depth)
{
	char **names = NULL;
	size_t n = 0;
	int rc;

	rc = list_dir(dirfd, &names, &n);
	if (rc < 0)
		return pack_fail(p, rc, prefix[0] ? prefix : ".", "read the directory");
	/* A name deeper than unpacking accepts would make a layer nobody takes. */
	if (n > 0 && depth > ENG_TARPATH_MAX_DEPTH) {
		char why[64];

		free_names(names, n);
		snprintf(why, sizeof(why), "holds names more than %d levels deep",
			 ENG_TARPATH_MAX_DEPTH);
		return pack_refuse(p, prefix, why);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[PATH_MAX];

		if (snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "/" : "",
			     names[i]) >= (int)sizeof(path))
			rc = pack_refuse(p, names[i], "path too long");
		else
			rc = pack_node(p, dirfd, names[i], path, depth);
	}
	free_names(names, n);
	return rc;
}

/* The root: its own opaque marker (an upper dir's root can be one), then its content. */
static int pack_root(struct packer *p, int rootfd)
{
	struct stat st;
	bool opaque = false;
	int rc;

	if (fstat(rootfd, &st) < 0)
		return pack_fail(p, -errno, ".", "fstat");
	archive_entry_clear(p->e);
	rc = add_xattrs(p, ".", rootfd, false, &opaque);
	if (rc < 0)
		return rc;
	if (opaque) {
		rc = write_marker(p, ENG_WHITEOUT_OPAQUE, &st);
		if (rc < 0)
			return rc;
	}
	return pack_dir(p, rootfd, "", 1);
}

static void packer_free(struct packer *p)
{
	if (p->a != NULL)
		archive_write_free(p->a);
	archive_entry_free(p->e);
	for (size_t i = 0; i < p->nseen; i++)
		free(p->seen[i].path);
	free(p->seen);
	free(p->io);
	free(p->xlist);
	free(p->xnames);
	free(p->xvalue);
}

static void sink_free(struct pack_sink *sink)
{
	if (sink->zs_ready)
		deflateEnd(&sink->zs);
	eng_hasher_free(sink->blob);
	eng_hasher_free(sink->diff);
	free(sink);
}

int eng_layer_pack(const char *src, int fd, enum eng_pack_mode mode,
		   struct eng_layer_digests *out, struct isolab_error *err)
{
	_cleanup_close_ int rootfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct packer p = { .src = src, .mode = mode, .err = err };
	struct pack_sink *sink;
	int rc = 0;

	if (rootfd < 0)
		return isolab_error_errno(err, -errno, "pack `%s`", src);
	sink = calloc(1, sizeof(*sink));
	if (sink == NULL)
		return isolab_error_set(err, -ENOMEM, "pack `%s`: out of memory", src);
	sink->fd = fd;
	sink->err = err;
	sink->blob = eng_hasher_new();
	sink->diff = eng_hasher_new();
	p.sink = sink;
	p.a = archive_write_new();
	p.e = archive_entry_new();
	p.io = malloc(PACK_CHUNK);
	p.xlist = malloc(XATTR_LIST_MAX_BYTES);
	p.xnames = malloc(XATTR_LIST_MAX_BYTES / 2 * sizeof(*p.xnames));
	p.xvalue = malloc(ENG_XATTR_VALUE_MAX);
	/* 16 + MAX_WBITS: a gzip wrapper with no name and time 0 (zlib.h). */
	if (sink->blob && sink->diff && p.a && p.e && p.io && p.xlist && p.xnames && p.xvalue &&
	    deflateInit2(&sink->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) == Z_OK)
		sink->zs_ready = true;
	else
		rc = -ENOMEM;
	if (rc < 0)
		isolab_error_set(err, rc, "pack `%s`: out of memory", src);
	/* PAX (POSIX.1-2001): long names, big ids, nanosecond mtimes, xattrs;
	 * xattrs as SCHILY.xattr.* only, as GNU tar and Go's archive/tar write. */
	if (rc == 0 && (archive_write_set_format_pax(p.a) != ARCHIVE_OK ||
			archive_write_set_options(p.a, "xattrheader=SCHILY") < ARCHIVE_WARN ||
			archive_write_open(p.a, sink, NULL, sink_archive_write, NULL) != ARCHIVE_OK))
		rc = archive_fail(&p, ".");
	if (rc == 0)
		rc = pack_root(&p, rootfd);
	if (rc == 0 && archive_write_close(p.a) != ARCHIVE_OK)
		rc = archive_fail(&p, ".");
	if (rc == 0)
		rc = sink_deflate(sink, Z_FINISH);
	if (rc == 0 && out != NULL) {
		eng_hasher_final(sink->blob, &out->blob);
		eng_hasher_final(sink->diff, &out->diff_id);
		sink->blob = sink->diff = NULL;
		out->blob_size = sink->blob_size;
		out->tar_size = sink->tar_size;
	}
	/* After a failure, freeing the archive must not write its last blocks. */
	if (rc < 0)
		sink->rc = rc;
	packer_free(&p);
	sink_free(sink);
	return rc;
}
