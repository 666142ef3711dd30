/*
 * layer_unpack.c: a layer blob unpacked into an overlayfs lower dir (see
 * layer_unpack.h).
 *
 * Three parts: the byte stream (fd -> zlib inflate -> libarchive, both
 * digests and the gzip-bomb bound taken on the way), the application of
 * one checked entry relative to directory fds (nothing followed), and the
 * whole: a temp dir renamed to dest only when every entry was good.
 */
#include "engine/lib/layer_unpack.h"
#include "engine/lib/tarpath.h"
#include "common/cleanup.h"
#include "common/rmtree.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>

#define STREAM_CHUNK 65536

/* ---- The byte stream: fd -> (inflate) -> libarchive, hashed on the way ---- */

struct layer_stream {
	int fd;
	bool gzip;
	bool in_eof;      /* read() returned 0 */
	bool member_done; /* inflate reached the end of a gzip member */
	bool zs_ready;
	z_stream zs;
	size_t pending; /* plain tar: bytes read by stream_start not yet handed on */
	uint64_t max_bytes;
	struct eng_hasher *blob, *diff;
	uint64_t blob_size, tar_size;
	int rc; /* the stream's own error (err filled), for libarchive's callers */
	struct isolab_error *err;
	unsigned char in[STREAM_CHUNK];
	unsigned char out[STREAM_CHUNK];
};

static void stream_free(struct layer_stream *s)
{
	if (s == NULL)
		return;
	if (s->zs_ready)
		inflateEnd(&s->zs);
	eng_hasher_free(s->blob);
	eng_hasher_free(s->diff);
	free(s);
}

static void archive_cleanup(struct archive **a)
{
	if (*a != NULL)
		archive_read_free(*a);
}
#define _cleanup_archive_ __attribute__((cleanup(archive_cleanup)))

static ssize_t stream_fail(struct layer_stream *s, int code, const char *msg)
{
	s->rc = isolab_error_set(s->err, code, "layer: %s", msg);
	return s->rc;
}

/* Reads up to `room` more compressed bytes into buf; 0 at the end. */
static ssize_t stream_read(struct layer_stream *s, unsigned char *buf, size_t room)
{
	ssize_t n;

	do
		n = read(s->fd, buf, room);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->rc = isolab_error_errno(s->err, -errno, "layer: read");
		return s->rc;
	}
	if (n == 0)
		s->in_eof = true;
	eng_hasher_update(s->blob, buf, (size_t)n);
	s->blob_size += (uint64_t)n;
	return n;
}

/* Counts n uncompressed bytes against the bound and hashes them. */
static ssize_t stream_emit(struct layer_stream *s, const unsigned char *buf, size_t n)
{
	s->tar_size += n;
	if (s->tar_size > s->max_bytes) {
		s->rc = isolab_error_set(s->err, -EFBIG,
					 "layer: more than %llu bytes uncompressed (a gzip bomb?)",
					 (unsigned long long)s->max_bytes);
		return s->rc;
	}
	eng_hasher_update(s->diff, buf, n);
	return (ssize_t)n;
}

/* Reads the first bytes and tells gzip (RFC 1952 magic 1f 8b) from tar. */
static int stream_start(struct layer_stream *s)
{
	size_t have = 0;

	while (have < 2 && !s->in_eof) {
		ssize_t n = stream_read(s, s->in + have, sizeof(s->in) - have);

		if (n < 0)
			return (int)n;
		have += (size_t)n;
	}
	s->gzip = have >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
	if (!s->gzip) {
		s->pending = have;
		return 0;
	}
	/* 16 + MAX_WBITS: a gzip wrapper, not zlib's (zlib.h, inflateInit2). */
	if (inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK)
		return (int)stream_fail(s, -ENOMEM, "zlib: out of memory");
	s->zs_ready = true;
	s->zs.next_in = s->in;
	s->zs.avail_in = (uInt)have;
	return 0;
}

/* The next uncompressed bytes into *buf: their count, 0 at the end, or
 * negative with s->err filled. */
static ssize_t stream_next(struct layer_stream *s, const void **buf)
{
	if (s->rc < 0)
		return s->rc;
	if (!s->gzip) {
		ssize_t n = (ssize_t)s->pending;

		s->pending = 0;
		if (n == 0 && !s->in_eof)
			n = stream_read(s, s->in, sizeof(s->in));
		if (n <= 0)
			return n;
		*buf = s->in;
		return stream_emit(s, s->in, (size_t)n);
	}
	for (;;) {
		size_t produced;
		int zrc;

		if (s->zs.avail_in == 0 && !s->in_eof) {
			ssize_t n = stream_read(s, s->in, sizeof(s->in));

			if (n < 0)
				return n;
			s->zs.next_in = s->in;
			s->zs.avail_in = (uInt)n;
		}
		if (s->member_done) {
			if (s->zs.avail_in == 0)
				return 0; /* in_eof: the end, after a whole member */
			/* More bytes after a member: another member (RFC 1952 2.2). */
			if (inflateReset(&s->zs) != Z_OK)
				return stream_fail(s, -EINVAL, "zlib: inflateReset failed");
			s->member_done = false;
		}
		s->zs.next_out = s->out;
		s->zs.avail_out = sizeof(s->out);
		zrc = inflate(&s->zs, Z_NO_FLUSH);
		if (zrc == Z_STREAM_END) {
			s->member_done = true;
		} else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
			char why[160];

			snprintf(why, sizeof(why), "corrupt gzip stream (%s)",
				 s->zs.msg ? s->zs.msg : zError(zrc));
			return stream_fail(s, -EINVAL, why);
		}
		produced = sizeof(s->out) - s->zs.avail_out;
		if (produced > 0) {
			*buf = s->out;
			return stream_emit(s, s->out, produced);
		}
		/* No output and no more input (zlib may still have held some back,
		 * which is why inflate ran once more above): cut short. */
		if (!s->member_done && s->zs.avail_in == 0 && s->in_eof)
			return stream_fail(s, -EINVAL, "truncated gzip stream");
	}
}

static la_ssize_t stream_archive_read(struct archive *a, void *data, const void **buf)
{
	ssize_t n = stream_next(data, buf);

	if (n < 0) {
		archive_set_error(a, EIO, "layer stream failed");
		return -1;
	}
	return n;
}

/* The error of a failed libarchive call: the stream's own if it failed. */
static int archive_failed(struct archive *a, struct layer_stream *s)
{
	const char *why = archive_error_string(a);

	if (s->rc < 0)
		return s->rc;
	return isolab_error_set(s->err, -EINVAL, "layer: tar: %s", why ? why : "unknown error");
}

/* ---- Applying entries beneath the root, never following a symlink ---- */

struct dir_time {
	char *path;
	struct timespec ts[2];
};

struct unpacker {
	int root; /* O_RDONLY | O_DIRECTORY: the temp dir */
	const char *root_path;
	uint64_t max_bytes, hole_bytes;
	bool root_entry; /* the tar said what the root dir is */
	struct dir_time *dirs;
	size_t ndirs, dirs_cap;
	struct isolab_error *err;
	char shown[ENG_TARPATH_SHOW_MAX + 4]; /* the current entry, printable */
};

static int entry_errno(struct unpacker *u, int code, const char *what)
{
	return isolab_error_errno(u->err, code, "layer entry `%s`: %s", u->shown, what);
}

/* openat2(2) through syscall(2): glibc 2.36 has no wrapper. */
static int openat2_beneath(int dirfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/*
 * An O_PATH fd of the directory `dir` (normalised, "." for the root)
 * beneath the root. With create, missing levels are made (mode 0755, as
 * tar does for parents it was not given). A symlink or a non-directory on
 * the way is refused, with the level named.
 */
static int open_dir(struct unpacker *u, const char *dir, bool create)
{
	_cleanup_close_ int fd = -1;
	char prefix[ENG_TARPATH_SHOW_MAX + 4];
	const char *p = dir;

	if (strcmp(dir, ".") == 0) {
		fd = openat(u->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? entry_errno(u, -errno, "open the layer root") : isolab_take_fd(&fd);
	}
	fd = openat2_beneath(u->root, dir);
	if (fd >= 0)
		return isolab_take_fd(&fd);
	/* The slow walk: one level at a time, creating and explaining. */
	fd = openat(u->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return entry_errno(u, -errno, "open the layer root");
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t clen = slash ? (size_t)(slash - p) : strlen(p);
		char comp[NAME_MAX + 1];
		int next;

		snprintf(comp, sizeof(comp), "%.*s", (int)clen, p);
		eng_tarpath_show(dir, (size_t)(p - dir) + clen, prefix, sizeof(prefix));
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST)
				return isolab_error_errno(u->err, -errno, "layer entry `%s`: mkdir `%s`",
							  u->shown, prefix);
			/* mkdirat obeys the umask; the mode is set, not masked. */
			if (fchmodat(fd, comp, 0755, 0) < 0)
				return isolab_error_errno(u->err, -errno, "layer entry `%s`: chmod `%s`",
							  u->shown, prefix);
			next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			struct stat st;
			int code = -errno;

			if ((code == -ENOTDIR || code == -ELOOP) &&
			    fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0)
				return isolab_error_set(u->err, -ELOOP,
					S_ISLNK(st.st_mode)
						? "layer entry `%s`: `%s` is a symbolic link (nothing is written through one)"
						: "layer entry `%s`: `%s` is not a directory",
					u->shown, prefix);
			return isolab_error_errno(u->err, code, "layer entry `%s`: open `%s`", u->shown,
						  prefix);
		}
		close(fd);
		fd = next;
		p += clen;
		if (*p == '/')
			p++;
	}
	return isolab_take_fd(&fd);
}

/* Clears the way for a new node at parent/base, which is path (tar
 * semantics: the later entry wins). Returns 1 when a directory is there
 * and want_dir (the two merge). */
static int clear_way(struct unpacker *u, int parent, const char *base, const char *path,
		     bool want_dir)
{
	char full[2 * PATH_MAX];
	struct stat st;
	int rc;

	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : entry_errno(u, -errno, "stat");
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, base, 0) < 0)
			return entry_errno(u, -errno, "remove what an earlier entry put there");
		return 0;
	}
	if (want_dir)
		return 1;
	/* A directory an earlier entry made: its path has no symlink on the
	 * way (open_dir saw to that) and rm -rf follows none inside. */
	snprintf(full, sizeof(full), "%s/%s", u->root_path, path);
	rc = isolab_rm_rf(full);
	if (rc < 0)
		return entry_errno(u, rc, "remove the directory an earlier entry made");
	return 0;
}

/* Checks every xattr of the entry before anything is created. */
static int check_xattrs(struct unpacker *u, const char *path, struct archive_entry *e)
{
	const char *name;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		int rc = eng_tarpath_xattr(path, name ? name : "", size, u->err);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Sets the kept xattrs: through fd when there is one, else through an
 * O_PATH fd of the node (a symlink, a device: never opened for real). */
static int set_xattrs(struct unpacker *u, const char *path, int parent, const char *base, int fd,
		      struct archive_entry *e)
{
	_cleanup_close_ int node = -1;
	const char *name;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		char proc[64];
		int rc;

		if (eng_tarpath_xattr(path, name, size, NULL) != 1)
			continue;
		if (fd >= 0) {
			rc = fsetxattr(fd, name, value, size, 0);
		} else {
			if (node < 0)
				node = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (node < 0)
				return entry_errno(u, -errno, "open for xattrs");
			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", node);
			rc = setxattr(proc, name, value, size, 0);
		}
		if (rc < 0) {
			char shown[ENG_TARPATH_SHOW_MAX + 4];

			eng_tarpath_show(name, strlen(name), shown, sizeof(shown));
			return isolab_error_errno(u->err, -errno, "layer entry `%s`: set xattr `%s`",
						  u->shown, shown);
		}
	}
	return 0;
}

static bool entry_times(struct archive_entry *e, struct timespec ts[2])
{
	long nsec;

	if (!archive_entry_mtime_is_set(e))
		return false;
	nsec = archive_entry_mtime_nsec(e);
	ts[1].tv_sec = (time_t)archive_entry_mtime(e);
	ts[1].tv_nsec = nsec >= 0 && nsec < 1000000000L ? nsec : 0;
	ts[0] = ts[1];
	if (archive_entry_atime_is_set(e)) {
		nsec = archive_entry_atime_nsec(e);
		ts[0].tv_sec = (time_t)archive_entry_atime(e);
		ts[0].tv_nsec = nsec >= 0 && nsec < 1000000000L ? nsec : 0;
	}
	return true;
}

/* A directory's times are set at the very end, after its content. */
static int defer_dir_time(struct unpacker *u, const char *path, const struct timespec ts[2])
{
	if (u->ndirs == u->dirs_cap) {
		size_t cap = u->dirs_cap ? u->dirs_cap * 2 : 64;
		struct dir_time *n = realloc(u->dirs, cap * sizeof(*n));

		if (n == NULL)
			return entry_errno(u, -ENOMEM, "remember the directory");
		u->dirs = n;
		u->dirs_cap = cap;
	}
	u->dirs[u->ndirs].path = strdup(path);
	if (u->dirs[u->ndirs].path == NULL)
		return entry_errno(u, -ENOMEM, "remember the directory");
	memcpy(u->dirs[u->ndirs].ts, ts, sizeof(u->dirs[0].ts));
	u->ndirs++;
	return 0;
}

/*
 * Owner, mode, xattrs, times of the node parent/base that the entry made
 * (fd: an open fd of it, or -1). chown comes first: it clears setuid bits
 * and file capabilities, which the mode and the xattrs then set.
 */
static int apply_meta(struct unpacker *u, const char *path, int parent, const char *base, int fd,
		      struct archive_entry *e)
{
	uid_t uid = (uid_t)archive_entry_uid(e);
	gid_t gid = (gid_t)archive_entry_gid(e);
	mode_t type = archive_entry_filetype(e);
	mode_t perm = archive_entry_perm(e) & 07777;
	struct timespec ts[2];
	int rc;

	rc = fd >= 0 ? fchown(fd, uid, gid) : fchownat(parent, base, uid, gid, AT_SYMLINK_NOFOLLOW);
	if (rc < 0)
		return entry_errno(u, -errno, "chown");
	if (type != AE_IFLNK) {
		/* Without an fd: a device or FIFO this entry just made, not a link. */
		rc = fd >= 0 ? fchmod(fd, perm) : fchmodat(parent, base, perm, 0);
		if (rc < 0)
			return entry_errno(u, -errno, "chmod");
	}
	rc = set_xattrs(u, path, parent, base, fd, e);
	if (rc < 0)
		return rc;
	if (!entry_times(e, ts))
		return 0;
	if (type == AE_IFDIR)
		return defer_dir_time(u, path, ts);
	rc = fd >= 0 ? futimens(fd, ts) : utimensat(parent, base, ts, AT_SYMLINK_NOFOLLOW);
	if (rc < 0)
		return entry_errno(u, -errno, "set times");
	return 0;
}

static int write_all_at(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int write_file(struct unpacker *u, struct archive *a, struct layer_stream *s,
		      const char *path, int parent, const char *base, struct archive_entry *e)
{
	int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
	_cleanup_close_ int fd = -1;
	uint64_t written = 0, holes;
	int rc;

	if (size < 0)
		return isolab_error_set(u->err, -EINVAL, "layer entry `%s`: negative size", u->shown);
	rc = clear_way(u, parent, base, path, false);
	if (rc < 0)
		return rc;
	fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return entry_errno(u, -errno, "create");
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(a, &buf, &len, &off);

		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return archive_failed(a, s);
		if (len == 0)
			continue;
		/* A sparse map's offsets come from the archive: keep them in the file. */
		if (off < 0 || (uint64_t)off > (uint64_t)size || len > (uint64_t)size - (uint64_t)off)
			return isolab_error_set(u->err, -EINVAL,
						"layer entry `%s`: data beyond the file's size", u->shown);
		rc = write_all_at(fd, buf, len, (off_t)off);
		if (rc < 0)
			return entry_errno(u, rc, "write");
		written += len;
	}
	/* The data came through the bounded stream; the holes of a sparse
	 * file did not: they have their own bound. */
	holes = (uint64_t)size > written ? (uint64_t)size - written : 0;
	if (holes > u->max_bytes - u->hole_bytes)
		return isolab_error_set(u->err, -EFBIG,
					"layer entry `%s`: more than %llu bytes of holes in sparse files",
					u->shown, (unsigned long long)u->max_bytes);
	u->hole_bytes += holes;
	/* The length, with any trailing hole of a sparse file. */
	if (ftruncate(fd, (off_t)size) < 0)
		return entry_errno(u, -errno, "truncate");
	return apply_meta(u, path, parent, base, fd, e);
}

static int make_dir(struct unpacker *u, const char *path, int parent, const char *base,
		    struct archive_entry *e)
{
	_cleanup_close_ int fd = -1;
	int rc = clear_way(u, parent, base, path, true);

	if (rc < 0)
		return rc;
	if (rc == 0 && mkdirat(parent, base, 0700) < 0)
		return entry_errno(u, -errno, "mkdir");
	fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return entry_errno(u, -errno, "open the directory");
	return apply_meta(u, path, parent, base, fd, e);
}

static int make_symlink(struct unpacker *u, const char *path, int parent, const char *base,
			struct archive_entry *e)
{
	const char *target = archive_entry_symlink(e);
	int rc;

	if (target == NULL)
		target = "";
	rc = eng_tarpath_symlink(path, target, strlen(target), u->err);
	if (rc < 0)
		return rc;
	rc = clear_way(u, parent, base, path, false);
	if (rc < 0)
		return rc;
	if (symlinkat(target, parent, base) < 0)
		return entry_errno(u, -errno, "symlink");
	return apply_meta(u, path, parent, base, -1, e);
}

static int make_node(struct unpacker *u, const char *path, int parent, const char *base,
		     struct archive_entry *e)
{
	mode_t type = archive_entry_filetype(e);
	dev_t dev = 0;
	int rc;

	if (type != AE_IFIFO)
		dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
	rc = clear_way(u, parent, base, path, false);
	if (rc < 0)
		return rc;
	if (mknodat(parent, base, type | 0600, dev) < 0)
		return entry_errno(u, -errno, "mknod");
	return apply_meta(u, path, parent, base, -1, e);
}

static int make_hardlink(struct unpacker *u, const char *path, int parent, const char *base,
			 const char *raw_target)
{
	char target[PATH_MAX], tdir[PATH_MAX], shown[ENG_TARPATH_SHOW_MAX + 4];
	_cleanup_close_ int tparent = -1;
	const char *tbase;
	int rc;

	rc = eng_tarpath_hardlink(path, raw_target, strlen(raw_target), target, sizeof(target),
				  u->err);
	if (rc < 0)
		return rc;
	tbase = eng_tarpath_split(target, tdir, sizeof(tdir));
	eng_tarpath_show(target, strlen(target), shown, sizeof(shown));
	tparent = openat2_beneath(u->root, tdir);
	if (tparent < 0)
		return isolab_error_errno(u->err, -errno, "layer entry `%s`: hard link to `%s`",
					  u->shown, shown);
	rc = clear_way(u, parent, base, path, false);
	if (rc < 0)
		return rc;
	if (linkat(tparent, tbase, parent, base, 0) < 0)
		return isolab_error_errno(u->err, -errno, "layer entry `%s`: hard link to `%s`",
					  u->shown, shown);
	return 0;
}

/* `.wh.NAME`: a char device 0/0 named NAME, unless this layer has NAME
 * itself (image-spec: a whiteout only hides what lower layers have). It
 * gets the entry's owner and times, so that packing it gives them back. */
static int make_whiteout(struct unpacker *u, const char *target, struct archive_entry *e)
{
	struct timespec ts[2];
	char dir[PATH_MAX];
	const char *base = eng_tarpath_split(target, dir, sizeof(dir));
	_cleanup_close_ int parent = open_dir(u, dir, true);
	struct stat st;

	if (parent < 0)
		return parent;
	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return entry_errno(u, -errno, "stat the whiteout's target");
	if (mknodat(parent, base, S_IFCHR | 0, makedev(0, 0)) < 0)
		return entry_errno(u, -errno, "mknod the whiteout");
	if (fchownat(parent, base, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
		     AT_SYMLINK_NOFOLLOW) < 0)
		return entry_errno(u, -errno, "chown the whiteout");
	if (entry_times(e, ts) && utimensat(parent, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_errno(u, -errno, "set the whiteout's times");
	return 0;
}

/* `dir/.wh..wh..opq`: dir (made if missing) gets trusted.overlay.opaque=y. */
static int make_opaque(struct unpacker *u, const char *dir)
{
	_cleanup_close_ int pathfd = open_dir(u, dir, true);
	_cleanup_close_ int fd = -1;

	if (pathfd < 0)
		return pathfd;
	fd = openat(pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return entry_errno(u, -errno, "open the opaque directory");
	if (fsetxattr(fd, ENG_OVERLAY_OPAQUE_XATTR, "y", 1, 0) < 0)
		return entry_errno(u, -errno, "set " ENG_OVERLAY_OPAQUE_XATTR);
	return 0;
}

/* The tar's own entry for the layer root (`./`): only its metadata. */
static int apply_root(struct unpacker *u, struct archive_entry *e)
{
	if (archive_entry_filetype(e) != AE_IFDIR || archive_entry_hardlink(e) != NULL)
		return isolab_error_set(u->err, -EINVAL,
					"layer entry `.`: the layer root must be a directory");
	u->root_entry = true;
	return apply_meta(u, ".", u->root, ".", u->root, e);
}

static int apply_entry(struct unpacker *u, struct archive *a, struct layer_stream *s,
		       struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e);
	const char *hardlink = archive_entry_hardlink(e);
	char path[PATH_MAX], target[PATH_MAX], dir[PATH_MAX];
	_cleanup_close_ int parent = -1;
	enum eng_tarpath_kind kind;
	const char *base;
	int rc;

	if (raw == NULL)
		return isolab_error_set(u->err, -EINVAL, "layer: an entry without a name");
	rc = eng_tarpath_normalize(raw, strlen(raw), path, sizeof(path), u->err);
	if (rc < 0)
		return rc;
	eng_tarpath_show(path, strlen(path), u->shown, sizeof(u->shown));
	rc = eng_tarpath_classify(path, &kind, target, sizeof(target), u->err);
	if (rc < 0)
		return rc;
	rc = eng_tarpath_owner(path, archive_entry_uid(e), archive_entry_gid(e), u->err);
	if (rc < 0)
		return rc;
	rc = check_xattrs(u, path, e);
	if (rc < 0)
		return rc;
	if (kind == ENG_TARPATH_WHITEOUT)
		return make_whiteout(u, target, e);
	if (kind == ENG_TARPATH_OPAQUE)
		return make_opaque(u, target);
	if (strcmp(path, ".") == 0)
		return apply_root(u, e);
	base = eng_tarpath_split(path, dir, sizeof(dir));
	parent = open_dir(u, dir, true);
	if (parent < 0)
		return parent;
	if (hardlink != NULL)
		return make_hardlink(u, path, parent, base, hardlink);
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		return write_file(u, a, s, path, parent, base, e);
	case AE_IFDIR:
		return make_dir(u, path, parent, base, e);
	case AE_IFLNK:
		return make_symlink(u, path, parent, base, e);
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		return make_node(u, path, parent, base, e);
	default:
		return isolab_error_set(u->err, -EINVAL, "layer entry `%s`: unsupported type 0%o",
					u->shown, (unsigned)archive_entry_filetype(e));
	}
}

/* The deferred directory times, once nothing more is written inside. */
static int finish_dirs(struct unpacker *u)
{
	for (size_t i = 0; i < u->ndirs; i++) {
		const char *path = u->dirs[i].path;
		char dir[PATH_MAX];
		const char *base = eng_tarpath_split(path, dir, sizeof(dir));
		_cleanup_close_ int parent = -1;
		struct stat st;

		eng_tarpath_show(path, strlen(path), u->shown, sizeof(u->shown));
		if (strcmp(path, ".") == 0) {
			if (futimens(u->root, u->dirs[i].ts) < 0)
				return entry_errno(u, -errno, "set times");
			continue;
		}
		/* A later entry may have replaced it: then it is not ours to set. */
		parent = openat2_beneath(u->root, dir);
		if (parent < 0 || fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (utimensat(parent, base, u->dirs[i].ts, AT_SYMLINK_NOFOLLOW) < 0)
			return entry_errno(u, -errno, "set times");
	}
	return 0;
}

static void unpacker_free(struct unpacker *u)
{
	for (size_t i = 0; i < u->ndirs; i++)
		free(u->dirs[i].path);
	free(u->dirs);
	if (u->root >= 0)
		close(u->root);
}

static int unpack_entries(struct unpacker *u, struct layer_stream *s, uint64_t max_entries)
{
	_cleanup_archive_ struct archive *a = archive_read_new();
	struct archive_entry *e;
	uint64_t entries = 0;
	const void *rest;
	ssize_t n;
	int rc;

	if (a == NULL)
		return isolab_error_set(u->err, -ENOMEM, "layer: libarchive: out of memory");
	/* Tar only (ustar, pax, GNU), no filters: the gzip is ours above.
	 * format_empty: a layer of zero bytes, or only the end-of-archive
	 * blocks, is a valid empty layer. */
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	rc = stream_start(s);
	if (rc < 0)
		return rc;
	if (archive_read_open(a, s, NULL, stream_archive_read, NULL) != ARCHIVE_OK)
		return archive_failed(a, s);
	for (;;) {
		int r = archive_read_next_header(a, &e);

		if (r == ARCHIVE_EOF)
			break;
		/* WARN: e.g. a UTF-8 name the locale cannot show; the bytes are kept. */
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return archive_failed(a, s);
		if (++entries > max_entries)
			return isolab_error_set(u->err, -EFBIG, "layer: more than %llu entries",
						(unsigned long long)max_entries);
		rc = apply_entry(u, a, s, e);
		if (rc < 0)
			return rc;
	}
	/* The rest after the end-of-archive blocks counts in both digests. */
	while ((n = stream_next(s, &rest)) > 0)
		;
	if (n < 0)
		return (int)n;
	if (!u->root_entry && fchmod(u->root, 0755) < 0)
		return isolab_error_errno(u->err, -errno, "layer: chmod the root");
	return finish_dirs(u);
}

static int unpack_into(int fd, const char *tmp, const struct eng_unpack_limits *lim,
		       struct eng_layer_digests *out, struct isolab_error *err)
{
	struct layer_stream *s = calloc(1, sizeof(*s));
	struct unpacker u = { .root = -1, .root_path = tmp, .err = err };
	uint64_t max_entries = lim && lim->max_entries ? lim->max_entries
						       : ENG_UNPACK_DEFAULT_MAX_ENTRIES;
	int rc = 0;

	if (s == NULL)
		return isolab_error_set(err, -ENOMEM, "layer: out of memory");
	s->fd = fd;
	s->err = err;
	s->max_bytes = lim && lim->max_bytes ? lim->max_bytes : ENG_UNPACK_DEFAULT_MAX_BYTES;
	s->blob = eng_hasher_new();
	s->diff = eng_hasher_new();
	if (s->blob == NULL || s->diff == NULL)
		rc = isolab_error_set(err, -ENOMEM, "layer: sha256: out of memory");
	u.max_bytes = s->max_bytes;
	if (rc == 0) {
		u.root = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (u.root < 0)
			rc = isolab_error_errno(err, -errno, "layer: open `%s`", tmp);
	}
	if (rc == 0)
		rc = unpack_entries(&u, s, max_entries);
	if (rc == 0 && out != NULL) {
		eng_hasher_final(s->blob, &out->blob);
		eng_hasher_final(s->diff, &out->diff_id);
		s->blob = s->diff = NULL;
		out->blob_size = s->blob_size;
		out->tar_size = s->tar_size;
	}
	unpacker_free(&u);
	stream_free(s);
	return rc;
}

int eng_layer_unpack(int fd, const char *dest, const struct eng_unpack_limits *lim,
		     struct eng_layer_digests *out, struct isolab_error *err)
{
	char tmp[PATH_MAX], parent[PATH_MAX];
	const char *slash = strrchr(dest, '/');
	const char *base = slash ? slash + 1 : dest;
	struct stat st;
	int rc;

	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return isolab_error_set(err, -EINVAL, "layer `%s`: not a name for a new directory",
					dest);
	if (lstat(dest, &st) == 0)
		return isolab_error_set(err, -EEXIST, "layer `%s`: already exists", dest);
	if (errno != ENOENT)
		return isolab_error_errno(err, -errno, "layer `%s`", dest);
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - dest) : 1,
		 slash ? dest : ".");
	if (slash == dest)
		snprintf(parent, sizeof(parent), "/");
	if (snprintf(tmp, sizeof(tmp), "%s/.%.200s.tmp-XXXXXX", parent, base) >= (int)sizeof(tmp))
		return isolab_error_set(err, -ENAMETOOLONG, "layer `%s`: path too long", dest);
	if (mkdtemp(tmp) == NULL)
		return isolab_error_errno(err, -errno, "layer `%s`: mkdtemp", dest);
	rc = unpack_into(fd, tmp, lim, out, err);
	if (rc == 0 && renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_NOREPLACE) < 0)
		rc = isolab_error_errno(err, -errno, "layer `%s`: rename from `%s`", dest, tmp);
	if (rc < 0)
		isolab_rm_rf(tmp);
	return rc;
}
