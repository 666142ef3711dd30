/*
 * test_layer.c: unit tests for engine/lib/layer_unpack.c and layer_pack.c:
 * hostile layers refused (exact messages, nothing left behind), a tree
 * packed and unpacked back identical, whiteouts both ways, digests checked
 * against gzip(1), a gzip bomb stopped. Runs as root (owners, device nodes,
 * trusted.* xattrs) in a mkdtemp dir under /tmp, removed after.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/rmtree.h"
#include "engine/lib/digest.h"
#include "engine/lib/layer_pack.h"
#include "engine/lib/layer_unpack.h"

static char tmp[64];   /* this run's directory */
static char dest[128]; /* tmp/out: where layers are unpacked */

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/isolab-test-layer-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return -1;
	snprintf(dest, sizeof(dest), "%s/out", tmp);
	return 0;
}

static int teardown(void **state)
{
	return isolab_rm_rf(tmp);
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* ---- Building tars in memory ---- */

struct buf {
	unsigned char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		b->data = realloc(b->data, b->cap);
		assert_non_null(b->data);
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static la_ssize_t buf_archive_write(struct archive *a, void *data, const void *p, size_t len)
{
	buf_add(data, p, len);
	return (la_ssize_t)len;
}

struct tb {
	struct archive *a;
	struct buf out;
};

static void tb_init(struct tb *t)
{
	memset(t, 0, sizeof(*t));
	t->a = archive_write_new();
	assert_int_equal(archive_write_set_format_pax(t->a), ARCHIVE_OK);
	assert_int_equal(archive_write_open(t->a, &t->out, NULL, buf_archive_write, NULL), ARCHIVE_OK);
}

/* One entry: type AE_IF*, with data for a file, a target for a symlink;
 * link (not NULL) makes it a hard link; xname/xval one xattr. */
static void tb_entry(struct tb *t, const char *name, unsigned type, unsigned perm,
		     const char *data, const char *target, const char *link, const char *xname,
		     const char *xval)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = data ? strlen(data) : 0;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (type == AE_IFREG)
		archive_entry_set_size(e, (la_int64_t)len);
	if (target != NULL)
		archive_entry_set_symlink(e, target);
	if (link != NULL) {
		archive_entry_set_hardlink(e, link);
		archive_entry_set_size(e, 0);
		len = 0;
	}
	if (xname != NULL)
		archive_entry_xattr_add_entry(e, xname, xval, strlen(xval));
	assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
	if (len)
		assert_int_equal(archive_write_data(t->a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

static void tb_file(struct tb *t, const char *name, const char *data)
{
	tb_entry(t, name, AE_IFREG, 0644, data, NULL, NULL, NULL, NULL);
}

static void tb_dir(struct tb *t, const char *name, unsigned perm)
{
	tb_entry(t, name, AE_IFDIR, perm, NULL, NULL, NULL, NULL, NULL);
}

static void tb_symlink(struct tb *t, const char *name, const char *target)
{
	tb_entry(t, name, AE_IFLNK, 0777, NULL, target, NULL, NULL, NULL);
}

static struct buf tb_finish(struct tb *t)
{
	assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
	archive_write_free(t->a);
	return t->out;
}

/* gzip (RFC 1952) of data, through zlib. */
static struct buf gzip_buf(const void *data, size_t len)
{
	struct buf out = { 0 };
	z_stream zs = { 0 };
	unsigned char chunk[65536];
	int zrc;

	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zrc = deflate(&zs, Z_FINISH);
		buf_add(&out, chunk, sizeof(chunk) - zs.avail_out);
	} while (zrc == Z_OK);
	assert_int_equal(zrc, Z_STREAM_END);
	deflateEnd(&zs);
	return out;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Unpacks (data, len) from a file into dest. */
static int unpack_bytes(const void *data, size_t len, const struct eng_unpack_limits *lim,
			struct eng_layer_digests *out, struct isolab_error *err)
{
	char path[256];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/blob", tmp);
	write_file(path, data, len);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	memset(err, 0, sizeof(*err));
	rc = eng_layer_unpack(fd, dest, lim, out, err);
	close(fd);
	unlink(path);
	return rc;
}

/* Nothing but what the test made itself is left in tmp: no dest, no temp dir. */
static void assert_nothing_left(void)
{
	DIR *d = opendir(tmp);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, "out") == 0 || strncmp(de->d_name, ".out.tmp-", 9) == 0)
			fail_msg("left behind: %s", de->d_name);
	closedir(d);
}

/* The tar (plain and gzip'd) is refused with exactly msg; nothing is left. */
static void assert_refused(struct buf tar, const char *msg)
{
	struct isolab_error err;
	struct buf gz = gzip_buf(tar.data, tar.len);

	assert_true(unpack_bytes(tar.data, tar.len, NULL, NULL, &err) < 0);
	assert_string_equal(err.msg, msg);
	assert_nothing_left();
	assert_true(unpack_bytes(gz.data, gz.len, NULL, NULL, &err) < 0);
	assert_string_equal(err.msg, msg);
	assert_nothing_left();
	free(gz.data);
	free(tar.data);
}

static void path_in(char *out, const char *dir, const char *rel)
{
	if (snprintf(out, PATH_MAX, "%s/%s", dir, rel) >= PATH_MAX)
		fail_msg("path too long: %s/%s", dir, rel);
}

/* ---- Refusals ---- */

static void refuses_traversal_and_absolute(void **state)
{
	struct tb t;

	need_root();
	tb_init(&t);
	tb_file(&t, "ok", "fine");
	tb_file(&t, "../evil", "x");
	assert_refused(tb_finish(&t), "layer entry `../evil`: `..` component climbs out of the layer");

	tb_init(&t);
	tb_file(&t, "a/../../evil", "x");
	assert_refused(tb_finish(&t), "layer entry `a/../../evil`: `..` component climbs out of the layer");

	tb_init(&t);
	tb_file(&t, "/etc/evil", "x");
	assert_refused(tb_finish(&t), "layer entry `/etc/evil`: absolute path");
}

static void refuses_links_out(void **state)
{
	char victim[PATH_MAX], secret[PATH_MAX], link[PATH_MAX], msg[2 * PATH_MAX];
	struct tb t;

	need_root();
	tb_init(&t);
	tb_entry(&t, "x", AE_IFREG, 0644, NULL, NULL, "../../etc/shadow", NULL, NULL);
	assert_refused(tb_finish(&t), "layer entry `x`: hard link to `../../etc/shadow`: "
				      "`..` component climbs out of the layer");

	tb_init(&t);
	tb_entry(&t, "x", AE_IFREG, 0644, NULL, NULL, "/etc/shadow", NULL, NULL);
	assert_refused(tb_finish(&t), "layer entry `x`: hard link to `/etc/shadow`: absolute path");

	tb_init(&t);
	tb_dir(&t, "a", 0755);
	tb_symlink(&t, "a/b", "../../../etc");
	assert_refused(tb_finish(&t), "layer entry `a/b`: symlink to `../../../etc` points out of the layer");

	/* a hard link through a symlinked directory to a file outside */
	path_in(victim, tmp, "victim");
	path_in(secret, victim, "secret");
	assert_int_equal(mkdir(victim, 0755), 0);
	write_file(secret, "s3cret", 6);
	tb_init(&t);
	tb_symlink(&t, "l", victim);
	tb_entry(&t, "h", AE_IFREG, 0644, NULL, NULL, "l/secret", NULL, NULL);
	assert_refused(tb_finish(&t),
		       "layer entry `h`: hard link to `l/secret`: Too many levels of symbolic links");
	path_in(link, victim, "secret");
	struct stat st;
	assert_int_equal(stat(link, &st), 0);
	assert_int_equal(st.st_nlink, 1);

	/* writing through a symlink: `a -> /etc` then `a/passwd` (here: a dir of ours) */
	tb_init(&t);
	tb_symlink(&t, "a", victim);
	tb_file(&t, "a/passwd", "root::0:0::/:/bin/sh\n");
	assert_refused(tb_finish(&t),
		       "layer entry `a/passwd`: `a` is a symbolic link (nothing is written through one)");
	path_in(link, victim, "passwd");
	assert_int_equal(lstat(link, &st), -1);

	/* the same a level deeper, through a parent to be made (a regression
	 * must write into victim, never into the host's /etc) */
	tb_init(&t);
	tb_dir(&t, "d", 0755);
	tb_symlink(&t, "d/etc", victim);
	tb_file(&t, "d/etc/x/passwd", "x");
	assert_refused(tb_finish(&t),
		       "layer entry `d/etc/x/passwd`: `d/etc` is a symbolic link (nothing is written through one)");
	path_in(link, victim, "x");
	assert_int_equal(lstat(link, &st), -1);

	/* a symlink (to a file outside) replaced by a later regular file: the
	 * file is created, the outside one untouched */
	tb_init(&t);
	tb_symlink(&t, "s", secret);
	tb_file(&t, "s", "mine");
	struct buf tar = tb_finish(&t);
	struct isolab_error err;
	assert_int_equal(unpack_bytes(tar.data, tar.len, NULL, NULL, &err), 0);
	free(tar.data);
	snprintf(msg, sizeof(msg), "%s/s", dest);
	assert_int_equal(lstat(msg, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(stat(secret, &st), 0);
	assert_int_equal(st.st_size, 6);
	assert_int_equal(isolab_rm_rf(dest), 0);
	assert_int_equal(isolab_rm_rf(victim), 0);
}

static void refuses_forged_overlay_xattrs(void **state)
{
	struct tb t;

	need_root();
	tb_init(&t);
	tb_entry(&t, "d", AE_IFDIR, 0755, NULL, NULL, NULL, "trusted.overlay.opaque", "y");
	assert_refused(tb_finish(&t), "layer entry `d`: xattr `trusted.overlay.opaque` is overlayfs "
				      "metadata, which a layer may not carry");
	tb_init(&t);
	tb_entry(&t, "f", AE_IFREG, 0644, "x", NULL, NULL, "trusted.overlay.redirect", "/etc");
	assert_refused(tb_finish(&t), "layer entry `f`: xattr `trusted.overlay.redirect` is overlayfs "
				      "metadata, which a layer may not carry");
	tb_init(&t);
	tb_entry(&t, "f", AE_IFREG, 0644, "x", NULL, NULL, "user.overlay.whiteout", "");
	assert_refused(tb_finish(&t), "layer entry `f`: xattr `user.overlay.whiteout` is overlayfs "
				      "metadata, which a layer may not carry");
}

static void refuses_reserved_whiteouts(void **state)
{
	struct tb t;

	need_root();
	tb_init(&t);
	tb_file(&t, "d/.wh..wh.plnk", "");
	assert_refused(tb_finish(&t), "layer entry `d/.wh..wh.plnk`: unknown whiteout meta-entry "
				      "(only `.wh..wh..opq` is defined)");
	tb_init(&t);
	tb_file(&t, ".wh..", "");
	assert_refused(tb_finish(&t), "layer entry `.wh..`: whiteout of `.`");
	tb_init(&t);
	tb_file(&t, "f", "x");
	tb_file(&t, ".", "");
	assert_refused(tb_finish(&t), "layer entry `.`: the layer root must be a directory");
}

static void refuses_too_much(void **state)
{
	static char big[1 << 20];
	struct eng_unpack_limits lim = { .max_bytes = 65536 };
	struct isolab_error err;
	struct tb t;
	struct buf tar, gz;

	need_root();
	memset(big, 'b', sizeof(big) - 1);
	tb_init(&t);
	tb_file(&t, "big", big);
	tar = tb_finish(&t);
	gz = gzip_buf(tar.data, tar.len);
	assert_true(unpack_bytes(tar.data, tar.len, &lim, NULL, &err) < 0);
	assert_string_equal(err.msg, "layer: more than 65536 bytes uncompressed (a gzip bomb?)");
	assert_nothing_left();
	assert_true(unpack_bytes(gz.data, gz.len, &lim, NULL, &err) < 0);
	assert_string_equal(err.msg, "layer: more than 65536 bytes uncompressed (a gzip bomb?)");
	assert_nothing_left();
	free(tar.data);
	free(gz.data);

	lim = (struct eng_unpack_limits){ .max_entries = 4 };
	tb_init(&t);
	tb_file(&t, "1", "");
	tb_file(&t, "2", "");
	tb_file(&t, ".wh.3", "");
	tb_dir(&t, "4", 0755);
	tar = tb_finish(&t);
	assert_int_equal(unpack_bytes(tar.data, tar.len, &lim, NULL, &err), 0);
	assert_int_equal(isolab_rm_rf(dest), 0);
	free(tar.data);
	tb_init(&t);
	for (int i = 0; i < 5; i++)
		tb_file(&t, (const char *[]){ "a", "b", "c", "d", "e" }[i], "");
	tar = tb_finish(&t);
	assert_true(unpack_bytes(tar.data, tar.len, &lim, NULL, &err) < 0);
	assert_string_equal(err.msg, "layer: more than 4 entries");
	assert_nothing_left();
	free(tar.data);
}

/* A sparse file whose holes, not its data, are over the bound. */
static void refuses_sparse_length(void **state)
{
	struct eng_unpack_limits lim = { .max_bytes = 1 << 20 };
	struct archive_entry *e = archive_entry_new();
	struct isolab_error err;
	struct tb t;
	struct buf tar;

	need_root();
	tb_init(&t);
	archive_entry_set_pathname(e, "sparse");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 1LL << 30);
	archive_entry_sparse_add_entry(e, 0, 4096);
	assert_int_equal(archive_write_header(t.a, e), ARCHIVE_OK);
	archive_entry_free(e);
	static char block[4096];
	assert_int_equal(archive_write_data(t.a, block, sizeof(block)), (la_ssize_t)sizeof(block));
	tar = tb_finish(&t);
	assert_true(tar.len < 64 * 1024);
	assert_true(unpack_bytes(tar.data, tar.len, &lim, NULL, &err) < 0);
	assert_string_equal(err.msg, "layer entry `sparse`: more than 1048576 bytes of holes in "
				     "sparse files");
	assert_nothing_left();
	free(tar.data);
}

static void refuses_broken_streams(void **state)
{
	static char data[200000];
	struct isolab_error err;
	struct tb t;
	struct buf tar, gz;

	need_root();
	for (size_t i = 0; i < sizeof(data) - 1; i++)
		data[i] = (char)('a' + (i * 7919 % 26));
	tb_init(&t);
	tb_file(&t, "f", data);
	tb_file(&t, "g", "end");
	tar = tb_finish(&t);
	gz = gzip_buf(tar.data, tar.len);

	/* gzip cut in the middle, and cut in its 8-byte trailer */
	assert_true(unpack_bytes(gz.data, gz.len / 2, NULL, NULL, &err) < 0);
	assert_string_equal(err.msg, "layer: truncated gzip stream");
	assert_nothing_left();
	assert_true(unpack_bytes(gz.data, gz.len - 3, NULL, NULL, &err) < 0);
	assert_string_equal(err.msg, "layer: truncated gzip stream");
	assert_nothing_left();
	/* a wrong CRC in the trailer */
	gz.data[gz.len - 6] ^= 0x55;
	assert_true(unpack_bytes(gz.data, gz.len, NULL, NULL, &err) < 0);
	assert_string_equal(err.msg, "layer: corrupt gzip stream (incorrect data check)");
	assert_nothing_left();
	gz.data[gz.len - 6] ^= 0x55;
	/* garbage after a whole gzip member */
	buf_add(&gz, "garbage!", 8);
	assert_true(unpack_bytes(gz.data, gz.len, NULL, NULL, &err) < 0);
	assert_string_equal(err.msg, "layer: corrupt gzip stream (incorrect header check)");
	assert_nothing_left();
	/* a plain tar cut inside a file's data */
	assert_true(unpack_bytes(tar.data, 100000, NULL, NULL, &err) < 0);
	assert_string_equal(err.msg, "layer: tar: Truncated tar archive");
	assert_nothing_left();
	/* not a tar at all */
	assert_true(unpack_bytes("this is not a tar archive, not even close.....", 46, NULL, NULL,
				 &err) < 0);
	assert_string_equal(err.msg, "layer: tar: Unrecognized archive format");
	assert_nothing_left();
	free(tar.data);
	free(gz.data);
}

static void refuses_existing_dest(void **state)
{
	struct isolab_error err;
	char msg[2 * PATH_MAX];

	need_root();
	assert_int_equal(mkdir(dest, 0755), 0);
	assert_true(unpack_bytes("", 0, NULL, NULL, &err) < 0);
	snprintf(msg, sizeof(msg), "layer `%s`: already exists", dest);
	assert_string_equal(err.msg, msg);
	assert_int_equal(rmdir(dest), 0);
}

/* A 1 MiB gzip stream of a tar holding about 1 GiB of zeros, built from
 * one deflate segment repeated (each after a full flush, so independent). */
static struct buf make_bomb(void)
{
	static const unsigned char gz_header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	/* POSIX ustar: magic "ustar" NUL, version "00" */
	static const char ustar_magic[8] = { 'u', 's', 't', 'a', 'r', 0, '0', '0' };
	static unsigned char zeros[1 << 20], seg[1 << 16], hdr[512];
	struct buf out = { 0 }, zseg = { 0 };
	z_stream zs = { 0 };
	uLong crc, zcrc = crc32(0, zeros, sizeof(zeros));
	uint64_t mib;
	unsigned sum = 0;

	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
	buf_add(&out, gz_header, sizeof(gz_header));
	/* the zeros' segment first, to know how many fit in 1 MiB */
	zs.next_in = zeros;
	zs.avail_in = sizeof(zeros);
	zs.next_out = seg;
	zs.avail_out = sizeof(seg);
	assert_int_equal(deflate(&zs, Z_FULL_FLUSH), Z_OK);
	assert_int_equal(zs.avail_in, 0);
	buf_add(&zseg, seg, sizeof(seg) - zs.avail_out);
	assert_true(zseg.len > 0);
	mib = (1 << 20) / (zseg.len ? zseg.len : 1);
	/* a ustar header for "zero", mib MiB long */
	memset(hdr, 0, sizeof(hdr));
	strcpy((char *)hdr, "zero");
	memcpy(hdr + 100, "0000644", 8);
	memcpy(hdr + 108, "0000000", 8);
	memcpy(hdr + 116, "0000000", 8);
	assert_true(mib < 4096);
	snprintf((char *)hdr + 124, 12, "%011o", (unsigned)(mib << 20));
	snprintf((char *)hdr + 136, 12, "%011o", 0);
	memset(hdr + 148, ' ', 8);
	hdr[156] = '0';
	memcpy(hdr + 257, ustar_magic, sizeof(ustar_magic));
	for (size_t i = 0; i < sizeof(hdr); i++)
		sum += hdr[i];
	snprintf((char *)hdr + 148, 7, "%06o", sum);
	hdr[155] = ' ';
	zs.next_in = hdr;
	zs.avail_in = sizeof(hdr);
	zs.next_out = seg;
	zs.avail_out = sizeof(seg);
	assert_int_equal(deflate(&zs, Z_FULL_FLUSH), Z_OK);
	buf_add(&out, seg, sizeof(seg) - zs.avail_out);
	crc = crc32(0, hdr, sizeof(hdr));
	for (uint64_t i = 0; i < mib; i++) {
		buf_add(&out, zseg.data, zseg.len);
		crc = crc32_combine(crc, zcrc, sizeof(zeros));
	}
	zs.next_out = seg;
	zs.avail_out = sizeof(seg);
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	buf_add(&out, seg, sizeof(seg) - zs.avail_out);
	deflateEnd(&zs);
	/* the trailer: CRC-32 and length mod 2^32, little-endian (RFC 1952) */
	uint32_t isize = (uint32_t)(sizeof(hdr) + (mib << 20));
	unsigned char trailer[8] = { crc, crc >> 8, crc >> 16, crc >> 24,
				     isize, isize >> 8, isize >> 16, isize >> 24 };
	buf_add(&out, trailer, sizeof(trailer));
	free(zseg.data);
	return out;
}

static void refuses_gzip_bomb_quickly(void **state)
{
	struct eng_unpack_limits lim = { .max_bytes = 64ull << 20 };
	struct buf bomb = make_bomb();
	struct isolab_error err;
	struct timespec t0, t1;

	need_root();
	assert_true(bomb.len > 900 * 1024 && bomb.len < 1100 * 1024);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(unpack_bytes(bomb.data, bomb.len, &lim, NULL, &err) < 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_string_equal(err.msg, "layer: more than 67108864 bytes uncompressed (a gzip bomb?)");
	assert_nothing_left();
	/* 64 MiB inflated, hashed and written, not the whole GiB */
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	free(bomb.data);
}

/* ---- What unpacking makes ---- */

static void unpacks_replacements_and_merges(void **state)
{
	char p[PATH_MAX], buf[16];
	struct isolab_error err;
	struct stat st;
	struct tb t;
	struct buf tar;
	int fd;

	need_root();
	tb_init(&t);
	tb_file(&t, "p", "one");
	tb_file(&t, "p", "two");          /* a later file replaces */
	tb_dir(&t, "q", 0755);
	tb_file(&t, "q/child", "c");
	tb_file(&t, "q", "file now");     /* a file over a directory */
	tb_file(&t, "r", "file");
	tb_dir(&t, "r", 0711);            /* a directory over a file */
	tb_dir(&t, "m", 0755);
	tb_file(&t, "m/a", "a");
	tb_dir(&t, "m", 0700);            /* a directory over a directory merges */
	tb_file(&t, "m/b", "b");
	tb_file(&t, "x/y/z", "deep");     /* parents made as needed */
	tb_file(&t, "./dot/./slash//name", "n");
	tar = tb_finish(&t);
	assert_int_equal(unpack_bytes(tar.data, tar.len, NULL, NULL, &err), 0);
	free(tar.data);

	path_in(p, dest, "p");
	fd = open(p, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 3);
	close(fd);
	assert_memory_equal(buf, "two", 3);
	path_in(p, dest, "q");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	path_in(p, dest, "r");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0711);
	path_in(p, dest, "m");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	path_in(p, dest, "m/a");
	assert_int_equal(lstat(p, &st), 0);
	path_in(p, dest, "m/b");
	assert_int_equal(lstat(p, &st), 0);
	path_in(p, dest, "x/y");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	path_in(p, dest, "x/y/z");
	assert_int_equal(lstat(p, &st), 0);
	path_in(p, dest, "dot/slash/name");
	assert_int_equal(lstat(p, &st), 0);
	/* the root is 0755 when the tar does not say */
	assert_int_equal(lstat(dest, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(isolab_rm_rf(dest), 0);
}

static void unpacks_whiteouts_and_packs_them_back(void **state)
{
	char p[PATH_MAX], v[8];
	struct eng_layer_digests dg;
	struct isolab_error err;
	struct archive_entry *e;
	struct archive *a;
	struct stat st;
	struct tb t;
	struct buf tar;
	const char *names[16] = { 0 };
	size_t n = 0;
	int fd;

	need_root();
	tb_init(&t);
	tb_file(&t, ".wh.gone", "");
	tb_dir(&t, "d", 0755);
	tb_file(&t, "d/.wh..wh..opq", "");
	tb_file(&t, "d/keep", "k");
	tb_file(&t, "mine", "m");
	tb_file(&t, ".wh.mine", "");      /* hides lower layers only: `mine` stays */
	tb_file(&t, "e/.wh..wh..opq", ""); /* an opaque dir the tar never listed */
	tar = tb_finish(&t);
	assert_int_equal(unpack_bytes(tar.data, tar.len, NULL, NULL, &err), 0);
	free(tar.data);

	path_in(p, dest, "gone");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	path_in(p, dest, "d");
	assert_int_equal(lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
	assert_int_equal(v[0], 'y');
	path_in(p, dest, "e");
	assert_int_equal(lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
	path_in(p, dest, "d/keep");
	assert_int_equal(lstat(p, &st), 0);
	path_in(p, dest, "mine");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	path_in(p, dest, ".wh.gone");
	assert_int_equal(lstat(p, &st), -1);
	path_in(p, dest, "d/.wh..wh..opq");
	assert_int_equal(lstat(p, &st), -1);

	/* packed as an overlay upper dir: the .wh. entries come back */
	path_in(p, tmp, "upper.tar.gz");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_int_equal(eng_layer_pack(dest, fd, ENG_PACK_OVERLAY_UPPER, &dg, &err), 0);
	close(fd);
	a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	assert_int_equal(archive_read_open_filename(a, p, 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK && n < 16)
		names[n++] = strdup(archive_entry_pathname(e));
	archive_read_free(a);
	assert_int_equal(n, 7);
	assert_string_equal(names[0], "d/");
	assert_string_equal(names[1], "d/.wh..wh..opq");
	assert_string_equal(names[2], "d/keep");
	assert_string_equal(names[3], "e/");
	assert_string_equal(names[4], "e/.wh..wh..opq");
	assert_string_equal(names[5], ".wh.gone");
	assert_string_equal(names[6], "mine");
	for (size_t i = 0; i < n; i++)
		free((void *)names[i]);

	/* and unpacked again, the same tree: the same tar packed from it */
	struct eng_layer_digests again, again_packed;
	char out2[PATH_MAX];
	fd = open(p, O_RDONLY | O_CLOEXEC);
	path_in(out2, tmp, "out2");
	assert_int_equal(eng_layer_unpack(fd, out2, NULL, &again, &err), 0);
	close(fd);
	assert_string_equal(again.diff_id.str, dg.diff_id.str);
	assert_string_equal(again.blob.str, dg.blob.str);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_int_equal(eng_layer_pack(out2, fd, ENG_PACK_OVERLAY_UPPER, &again_packed, &err), 0);
	close(fd);
	assert_string_equal(again_packed.diff_id.str, dg.diff_id.str);

	/* as a plain rootfs, the whiteout is a char device and no opaque marker */
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_int_equal(eng_layer_pack(dest, fd, ENG_PACK_ROOTFS, &dg, &err), 0);
	close(fd);
	a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	assert_int_equal(archive_read_open_filename(a, p, 10240), ARCHIVE_OK);
	n = 0;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		assert_null(strstr(name, ".wh."));
		if (strcmp(name, "gone") == 0)
			assert_int_equal(archive_entry_filetype(e), AE_IFCHR);
		n++;
	}
	archive_read_free(a);
	assert_int_equal(n, 5);
	assert_int_equal(isolab_rm_rf(dest), 0);
	assert_int_equal(isolab_rm_rf(out2), 0);
}

/* ---- Packing and unpacking a tree: everything survives ---- */

static void set_time(const char *path, time_t sec, long nsec)
{
	struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };

	assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* Builds the round-trip tree under root. */
static void make_tree(const char *root)
{
	static char big[300000];
	char p[PATH_MAX], q[PATH_MAX];

	assert_int_equal(mkdir(root, 0755), 0);
	path_in(p, root, "file");
	write_file(p, "hello\n", 6);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(lsetxattr(p, "user.x", "value", 5, 0), 0);
	(void)lsetxattr(p, "security.selinux", "dropped", 7, 0); /* where the system allows it */
	set_time(p, 1600000000, 123456789);
	path_in(p, root, "suid");
	write_file(p, "#!/bin/sh\n", 10);
	assert_int_equal(chmod(p, 04755), 0);
	path_in(p, root, "owned");
	write_file(p, "", 0);
	assert_int_equal(chown(p, 1234, 5678), 0);
	assert_int_equal(chmod(p, 0640), 0);
	path_in(p, root, "big");
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 2654435761u >> 24);
	write_file(p, big, sizeof(big));
	path_in(p, root, "link");
	assert_int_equal(symlink("file", p), 0);
	set_time(p, 1500000000, 5);
	path_in(p, root, "abs");
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(lsetxattr(p, "trusted.onlink", "t", 1, 0), 0);
	path_in(p, root, "dir");
	assert_int_equal(mkdir(p, 0755), 0);
	path_in(p, root, "hard1");
	write_file(p, "linked", 6);
	path_in(q, root, "dir/hard2");
	assert_int_equal(link(p, q), 0);
	path_in(p, root, "fifo");
	assert_int_equal(mkfifo(p, 0620), 0);
	assert_int_equal(chmod(p, 0620), 0);
	path_in(p, root, "null");
	assert_int_equal(mknod(p, S_IFCHR | 0666, makedev(1, 3)), 0);
	assert_int_equal(chmod(p, 0666), 0);
	path_in(p, root, "blk");
	assert_int_equal(mknod(p, S_IFBLK | 0600, makedev(7, 200)), 0);
	path_in(p, root, "empty");
	assert_int_equal(mkdir(p, 0755), 0);
	path_in(p, root, "private");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chmod(p, 0700), 0);
	assert_int_equal(lsetxattr(p, "trusted.dirattr", "d", 1, 0), 0);
	path_in(p, root, "caf\xc3\xa9 \x01odd");
	write_file(p, "utf8", 4);
	path_in(p, root, "dir/a-very-long-name-that-does-not-fit-in-the-hundred-bytes-of-a-ustar-"
			 "header-so-pax-carries-it-instead.txt");
	write_file(p, "long", 4);
	/* directory times last: their content is made */
	path_in(p, root, "dir");
	set_time(p, 1400000000, 999);
	path_in(p, root, "private");
	set_time(p, 1300000000, 0);
}

static void assert_same_xattrs(const char *a, const char *b)
{
	char la[4096], lb[4096], va[256], vb[256];
	ssize_t na = llistxattr(a, la, sizeof(la)), nb = llistxattr(b, lb, sizeof(lb));
	int kept = 0;

	assert_true(na >= 0 && nb >= 0);
	for (ssize_t i = 0; i < na; i += (ssize_t)strlen(la + i) + 1) {
		if (strncmp(la + i, "user.", 5) != 0 && strncmp(la + i, "trusted.", 8) != 0)
			continue;
		ssize_t sa = lgetxattr(a, la + i, va, sizeof(va));
		ssize_t sb = lgetxattr(b, la + i, vb, sizeof(vb));

		assert_int_equal(sa, sb);
		assert_memory_equal(va, vb, (size_t)sa);
		kept++;
	}
	for (ssize_t i = 0; i < nb; i += (ssize_t)strlen(lb + i) + 1)
		if (strncmp(lb + i, "user.", 5) == 0 || strncmp(lb + i, "trusted.", 8) == 0)
			kept--;
	assert_int_equal(kept, 0);
	/* what the rules drop does not arrive */
	assert_int_equal(lgetxattr(b, "security.selinux", va, sizeof(va)), -1);
}

/* Compares the trees under a and b (relative path rel), recursively. */
static void assert_same_tree(const char *a, const char *b, const char *rel, int *count)
{
	char pa[2 * PATH_MAX], pb[2 * PATH_MAX];
	struct stat sa, sb;
	DIR *d;
	struct dirent *de;

	snprintf(pa, sizeof(pa), "%s%s%s", a, rel[0] ? "/" : "", rel);
	snprintf(pb, sizeof(pb), "%s%s%s", b, rel[0] ? "/" : "", rel);
	assert_int_equal(lstat(pa, &sa), 0);
	if (lstat(pb, &sb) != 0)
		fail_msg("missing after the round trip: %s", rel);
	(*count)++;
	if (rel[0] != '\0') { /* the root's own metadata is not an entry */
		assert_int_equal(sa.st_mode, sb.st_mode);
		assert_int_equal(sa.st_uid, sb.st_uid);
		assert_int_equal(sa.st_gid, sb.st_gid);
		assert_int_equal(sa.st_nlink, sb.st_nlink);
		assert_int_equal(sa.st_rdev, sb.st_rdev);
		assert_int_equal(sa.st_mtim.tv_sec, sb.st_mtim.tv_sec);
		assert_int_equal(sa.st_mtim.tv_nsec, sb.st_mtim.tv_nsec);
		if (!S_ISDIR(sa.st_mode))
			assert_int_equal(sa.st_size, sb.st_size);
		assert_same_xattrs(pa, pb);
	}
	if (S_ISREG(sa.st_mode)) {
		static char ca[400000], cb[400000];
		int fa = open(pa, O_RDONLY), fb = open(pb, O_RDONLY);
		ssize_t na = read(fa, ca, sizeof(ca)), nb = read(fb, cb, sizeof(cb));

		close(fa);
		close(fb);
		assert_int_equal(na, nb);
		assert_memory_equal(ca, cb, (size_t)na);
	}
	if (S_ISLNK(sa.st_mode)) {
		char la[PATH_MAX] = { 0 }, lb[PATH_MAX] = { 0 };

		assert_true(readlink(pa, la, sizeof(la) - 1) > 0);
		assert_true(readlink(pb, lb, sizeof(lb) - 1) > 0);
		assert_string_equal(la, lb);
	}
	if (!S_ISDIR(sa.st_mode))
		return;
	d = opendir(pa);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char sub[PATH_MAX];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
		assert_same_tree(a, b, sub, count);
	}
	closedir(d);
}

/* sha256 of what `gzip -dc path` writes, and its length. */
static void gunzip_digest(const char *path, struct eng_digest *out, uint64_t *len)
{
	char cmd[PATH_MAX + 32], chunk[65536];
	struct eng_hasher *h = eng_hasher_new();
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	*len = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		eng_hasher_update(h, chunk, n);
		*len += n;
	}
	assert_int_equal(pclose(f), 0);
	eng_hasher_final(h, out);
}

static void round_trip_keeps_everything(void **state)
{
	char src[PATH_MAX], blob[PATH_MAX], blob2[PATH_MAX], sock[PATH_MAX], p[PATH_MAX];
	struct eng_layer_digests packed, unpacked, repacked, again;
	struct eng_digest file_digest, gunzipped;
	struct isolab_error err = { 0 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	uint64_t tar_len;
	size_t blob_len;
	struct stat st, st2;
	int fd, sfd, count = 0;

	need_root();
	path_in(src, tmp, "src");
	make_tree(src);
	/* a socket is skipped without an error */
	path_in(sock, src, "sock");
	assert_true(snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock) <
		    (int)sizeof(addr.sun_path));
	sfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(sfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(sfd);

	path_in(blob, tmp, "layer.tar.gz");
	fd = open(blob, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (eng_layer_pack(src, fd, ENG_PACK_ROOTFS, &packed, &err) < 0)
		fail_msg("pack: %s", err.msg);
	close(fd);
	assert_int_equal(unlink(sock), 0);

	/* the digests are those of the bytes, and of gzip -dc of them */
	assert_int_equal(eng_digest_file(blob, &file_digest, &blob_len, &err), 0);
	assert_string_equal(packed.blob.str, file_digest.str);
	assert_int_equal(packed.blob_size, blob_len);
	gunzip_digest(blob, &gunzipped, &tar_len);
	assert_string_equal(packed.diff_id.str, gunzipped.str);
	assert_int_equal(packed.tar_size, tar_len);
	assert_string_not_equal(packed.blob.str, packed.diff_id.str);

	fd = open(blob, O_RDONLY | O_CLOEXEC);
	if (eng_layer_unpack(fd, dest, NULL, &unpacked, &err) < 0)
		fail_msg("unpack: %s", err.msg);
	close(fd);
	assert_string_equal(unpacked.blob.str, packed.blob.str);
	assert_string_equal(unpacked.diff_id.str, packed.diff_id.str);
	assert_int_equal(unpacked.blob_size, packed.blob_size);
	assert_int_equal(unpacked.tar_size, packed.tar_size);

	assert_same_tree(src, dest, "", &count);
	assert_int_equal(count, 17);
	path_in(p, dest, "sock");
	assert_int_equal(lstat(p, &st), -1);
	/* the hard link pair is one inode again */
	path_in(p, dest, "hard1");
	assert_int_equal(lstat(p, &st), 0);
	path_in(p, dest, "dir/hard2");
	assert_int_equal(lstat(p, &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	assert_int_equal(st.st_nlink, 2);
	path_in(p, dest, "suid");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 04755);

	/* deterministic: the same tree packs to the same bytes, and so does its copy */
	path_in(blob2, tmp, "again.tar.gz");
	fd = open(blob2, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_int_equal(eng_layer_pack(src, fd, ENG_PACK_ROOTFS, &again, &err), 0);
	close(fd);
	assert_string_equal(again.blob.str, packed.blob.str);
	fd = open(blob2, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_int_equal(eng_layer_pack(dest, fd, ENG_PACK_ROOTFS, &repacked, &err), 0);
	close(fd);
	assert_string_equal(repacked.diff_id.str, packed.diff_id.str);
	assert_string_equal(repacked.blob.str, packed.blob.str);
	assert_int_equal(isolab_rm_rf(dest), 0);
}

static void unpacks_plain_multi_member_and_empty_layers(void **state)
{
	/* Docker's empty layer: 1024 zero bytes, gzip'd; its diff ID is well known. */
	static const char empty_diff_id[] =
		"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";
	static unsigned char zeros[1024];
	struct eng_layer_digests dg;
	struct isolab_error err;
	struct eng_digest whole;
	struct buf tar, gz1, gz2;
	char p[PATH_MAX];
	struct stat st;
	struct tb t;

	need_root();
	gz1 = gzip_buf(zeros, sizeof(zeros));
	assert_int_equal(unpack_bytes(gz1.data, gz1.len, NULL, &dg, &err), 0);
	assert_string_equal(dg.diff_id.str, empty_diff_id);
	assert_int_equal(dg.tar_size, 1024);
	assert_int_equal(rmdir(dest), 0);
	free(gz1.data);
	assert_int_equal(unpack_bytes("", 0, NULL, &dg, &err), 0);
	assert_string_equal(dg.diff_id.str,
			    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(rmdir(dest), 0);

	/* a plain tar: the blob is the tar */
	tb_init(&t);
	tb_file(&t, "a", "first");
	tb_file(&t, "b", "second");
	tar = tb_finish(&t);
	eng_digest_buf(tar.data, tar.len, &whole);
	assert_int_equal(unpack_bytes(tar.data, tar.len, NULL, &dg, &err), 0);
	assert_string_equal(dg.blob.str, whole.str);
	assert_string_equal(dg.diff_id.str, whole.str);
	assert_int_equal(dg.blob_size, tar.len);
	assert_int_equal(isolab_rm_rf(dest), 0);

	/* two gzip members (RFC 1952 allows it; pigz and cat do it): one tar */
	gz1 = gzip_buf(tar.data, 700);
	gz2 = gzip_buf(tar.data + 700, tar.len - 700);
	buf_add(&gz1, gz2.data, gz2.len);
	assert_int_equal(unpack_bytes(gz1.data, gz1.len, NULL, &dg, &err), 0);
	assert_string_equal(dg.diff_id.str, whole.str);
	path_in(p, dest, "b");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_size, 6);
	assert_int_equal(isolab_rm_rf(dest), 0);
	free(gz1.data);
	free(gz2.data);
	free(tar.data);
}

static void unpacks_sparse_files(void **state)
{
	struct archive_entry *e = archive_entry_new();
	static char block[4096], zeros[4096];
	struct isolab_error err;
	char p[PATH_MAX], c;
	struct stat st;
	struct tb t;
	struct buf tar;
	int fd;

	need_root();
	memset(block, 's', sizeof(block));
	tb_init(&t);
	archive_entry_set_pathname(e, "sparse");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 8 << 20);
	archive_entry_sparse_add_entry(e, 0, 4096);
	archive_entry_sparse_add_entry(e, 4 << 20, 4096);
	assert_int_equal(archive_write_header(t.a, e), ARCHIVE_OK);
	archive_entry_free(e);
	/* the writer takes the whole content and leaves the holes out */
	for (size_t off = 0; off < (8 << 20); off += sizeof(block)) {
		bool data = off == 0 || off == (4 << 20);

		assert_int_equal(archive_write_data(t.a, data ? block : zeros, sizeof(block)),
				 (la_ssize_t)sizeof(block));
	}
	tar = tb_finish(&t);
	assert_true(tar.len < 64 * 1024);
	assert_int_equal(unpack_bytes(tar.data, tar.len, NULL, NULL, &err), 0);
	free(tar.data);
	path_in(p, dest, "sparse");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_size, 8 << 20);
	assert_true(st.st_blocks * 512 < (1 << 20));
	fd = open(p, O_RDONLY);
	assert_int_equal(pread(fd, &c, 1, (4 << 20) + 10), 1);
	assert_int_equal(c, 's');
	assert_int_equal(pread(fd, &c, 1, 4096), 1);
	assert_int_equal(c, 0);
	close(fd);
	assert_int_equal(isolab_rm_rf(dest), 0);
}

static void pack_refuses_what_a_layer_cannot_say(void **state)
{
	char src[PATH_MAX], p[PATH_MAX], msg[2 * PATH_MAX];
	struct isolab_error err = { 0 };
	int fd;

	need_root();
	path_in(src, tmp, "upper");
	assert_int_equal(mkdir(src, 0755), 0);
	path_in(p, src, "renamed");
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(lsetxattr(p, "trusted.overlay.redirect", "/old", 4, 0), 0);
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(eng_layer_pack(src, fd, ENG_PACK_OVERLAY_UPPER, NULL, &err) < 0);
	snprintf(msg, sizeof(msg), "pack `%s`: `renamed`: an overlay redirect or metacopy (mount the "
		 "container without redirect_dir and metacopy)", src);
	assert_string_equal(err.msg, msg);
	/* as a plain tree the overlay xattr is only dropped */
	assert_int_equal(eng_layer_pack(src, fd, ENG_PACK_ROOTFS, NULL, &err), 0);
	assert_int_equal(rmdir(p), 0);

	path_in(p, src, ".wh.literal");
	write_file(p, "", 0);
	assert_true(eng_layer_pack(src, fd, ENG_PACK_ROOTFS, NULL, &err) < 0);
	snprintf(msg, sizeof(msg), "pack `%s`: `.wh.literal`: a name starting with `.wh.` would be "
		 "a whiteout in a layer", src);
	assert_string_equal(err.msg, msg);
	close(fd);
	assert_int_equal(isolab_rm_rf(src), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refuses_traversal_and_absolute),
		cmocka_unit_test(refuses_links_out),
		cmocka_unit_test(refuses_forged_overlay_xattrs),
		cmocka_unit_test(refuses_reserved_whiteouts),
		cmocka_unit_test(refuses_too_much),
		cmocka_unit_test(refuses_sparse_length),
		cmocka_unit_test(refuses_broken_streams),
		cmocka_unit_test(refuses_existing_dest),
		cmocka_unit_test(refuses_gzip_bomb_quickly),
		cmocka_unit_test(unpacks_replacements_and_merges),
		cmocka_unit_test(unpacks_whiteouts_and_packs_them_back),
		cmocka_unit_test(round_trip_keeps_everything),
		cmocka_unit_test(unpacks_plain_multi_member_and_empty_layers),
		cmocka_unit_test(unpacks_sparse_files),
		cmocka_unit_test(pack_refuses_what_a_layer_cannot_say),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
