/* store.c: the OCI image layout on disk: open, lock, blobs, index (see store.h). */
#include "engine/lib/store.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/mkdir.h"
#include "common/safe_open.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LAYOUT_TEXT "{\"imageLayoutVersion\":\"1.0.0\"}"
#define EMPTY_INDEX "{\"schemaVersion\":2,\"mediaType\":\"" ENG_MT_OCI_INDEX "\",\"manifests\":[]}"
/* index.json grows by one small entry per name: far below this. */
#define INDEX_MAX (64u << 20)

static int write_if_missing(const char *path, const char *text, struct isolab_error *err)
{
	if (access(path, F_OK) == 0)
		return 0;
	return isolab_text_write_atomic(path, text, err);
}

int eng_store_open(struct eng_store *s, const char *root, struct isolab_error *err)
{
	static const char *const dirs[] = { "blobs/sha256", "layers", "containers", "tmp" };
	char path[PATH_MAX];
	int rc;

	memset(s, 0, sizeof(*s));
	s->lock_fd = -1;
	if (root == NULL || root[0] == '\0')
		root = getenv(ENG_STORE_ROOT_ENV);
	if (root == NULL || root[0] == '\0')
		root = ENG_STORE_DEFAULT_ROOT;
	if (root[0] != '/')
		return isolab_error_set(err, -EINVAL, "store `%s`: not an absolute path", root);
	if (strlen(root) >= sizeof(s->root))
		return isolab_error_set(err, -ENAMETOOLONG, "store `%.64s...`: path too long", root);
	snprintf(s->root, sizeof(s->root), "%s", root);
	/* A store made before: the layout is there (it is written last). */
	eng_store_path(s, "index.json", path);
	if (access(path, F_OK) == 0) {
		eng_store_path(s, "lock", path);
		s->lock_fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (s->lock_fd >= 0)
			return 0;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		eng_store_path(s, dirs[i], path);
		rc = isolab_mkdir_p(path, 0700);
		if (rc < 0)
			return isolab_error_errno(err, rc, "store: mkdir `%s`", path);
	}
	eng_store_path(s, "lock", path);
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->lock_fd < 0)
		return isolab_error_errno(err, -errno, "store: open `%s`", path);
	/* The layout files, written once, under the lock. */
	rc = eng_store_lock(s, true, err);
	if (rc < 0)
		return rc;
	eng_store_path(s, "oci-layout", path);
	rc = write_if_missing(path, LAYOUT_TEXT "\n", err);
	eng_store_path(s, "index.json", path);
	if (rc == 0)
		rc = write_if_missing(path, EMPTY_INDEX "\n", err);
	flock(s->lock_fd, LOCK_UN);
	s->locked = 0;
	return rc;
}

void eng_store_close(struct eng_store *s)
{
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the flock */
	s->lock_fd = -1;
	s->locked = 0;
}

int eng_store_lock(struct eng_store *s, bool exclusive, struct isolab_error *err)
{
	int op = exclusive ? LOCK_EX : LOCK_SH;

	if (s->locked == LOCK_EX || s->locked == op)
		return 0;
	while (flock(s->lock_fd, op) < 0)
		if (errno != EINTR)
			return isolab_error_errno(err, -errno, "store `%s`: lock", s->root);
	s->locked = op;
	return 0;
}

void eng_store_path(const struct eng_store *s, const char *rel, char *buf)
{
	snprintf(buf, PATH_MAX, "%s/%s", s->root, rel);
}

void eng_store_blob_path(const struct eng_store *s, const struct eng_digest *d, char *buf)
{
	snprintf(buf, PATH_MAX, "%s/blobs/sha256/%s", s->root, eng_digest_hex(d));
}

void eng_store_layer_path(const struct eng_store *s, const struct eng_digest *diff_id, char *buf)
{
	snprintf(buf, PATH_MAX, "%s/layers/%s", s->root, eng_digest_hex(diff_id));
}

bool eng_store_blob_has(const struct eng_store *s, const struct eng_digest *d)
{
	char path[PATH_MAX];
	struct stat st;

	eng_store_blob_path(s, d, path);
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int eng_store_blob_read(const struct eng_store *s, const struct eng_digest *d, size_t max,
			char **buf, size_t *len, struct isolab_error *err)
{
	char path[PATH_MAX];

	eng_store_blob_path(s, d, path);
	return isolab_read_regular(path, max, buf, len, err);
}

int eng_store_index_load(const struct eng_store *s, struct eng_index *ix, struct isolab_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int rc;

	eng_store_path(s, "index.json", path);
	rc = isolab_read_regular(path, INDEX_MAX, &text, &len, err);
	if (rc == 0 && eng_index_parse(text, len, ix, err) < 0)
		rc = isolab_error_wrap(err, "store `%s`", path);
	return rc;
}

int eng_store_index_save(const struct eng_store *s, const struct eng_index *ix,
			 struct isolab_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = eng_index_build(ix);
	_cleanup_free_ char *line = NULL;

	if (text == NULL)
		return isolab_error_set(err, -ENOMEM, "store: index.json: out of memory");
	if (asprintf(&line, "%s\n", text) < 0)
		return isolab_error_set(err, -ENOMEM, "store: index.json: out of memory");
	eng_store_path(s, "index.json", path);
	return isolab_text_write_atomic(path, line, err);
}
