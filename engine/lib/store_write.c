/* store_write.c: new blobs into the store, verified before they become
 * visible: a temp file in ROOT/tmp, hashed, renamed (see store.h). It
 * hashes, so it is on the side of the engine that links libcrypto. */
#include "engine/lib/store.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int eng_store_tmpfile(const struct eng_store *s, char *path, struct isolab_error *err)
{
	int fd;

	snprintf(path, PATH_MAX, "%s/tmp/blob-XXXXXX", s->root);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "store: temp file in `%s/tmp`", s->root);
	return fd;
}

int eng_store_blob_commit(const struct eng_store *s, const char *tmp, const struct eng_digest *d,
			  struct isolab_error *err)
{
	struct eng_digest got = { { 0 } };
	char path[PATH_MAX];
	int rc;

	rc = eng_digest_file(tmp, &got, NULL, err);
	if (rc == 0 && strcmp(got.str, d->str) != 0)
		rc = isolab_error_set(err, -EBADMSG, "blob %.19s...: digest mismatch (got %.19s...)",
				      d->str, got.str);
	eng_store_blob_path(s, d, path);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = isolab_error_errno(err, -errno, "store: rename into `%s`", path);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int eng_store_blob_put(const struct eng_store *s, const void *buf, size_t len,
		       struct eng_digest *out, struct isolab_error *err)
{
	char tmp[PATH_MAX];
	_cleanup_close_ int fd = -1;
	const char *p = buf;
	size_t left = len;

	eng_digest_buf(buf, len, out);
	if (eng_store_blob_has(s, out))
		return 0;
	fd = eng_store_tmpfile(s, tmp, err);
	if (fd < 0)
		return fd;
	while (left > 0) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int rc = n < 0 ? -errno : -EIO;

			unlink(tmp);
			return isolab_error_errno(err, rc, "store: write `%s`", tmp);
		}
		p += n;
		left -= (size_t)n;
	}
	if (fsync(fd) < 0) {
		int rc = -errno;

		unlink(tmp);
		return isolab_error_errno(err, rc, "store: fsync `%s`", tmp);
	}
	return eng_store_blob_commit(s, tmp, out, err);
}

