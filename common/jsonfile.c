/* jsonfile.c: atomic JSON output and checked JSON input (see jsonfile.h). */
#include "common/jsonfile.h"
#include "common/io.h"
#include "common/cleanup.h"
#include "common/safe_open.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int isolab_text_write_atomic(const char *path, const char *text,
			     struct isolab_error *err)
{
	return isolab_text_replace(path, text, true, err);
}

int isolab_text_replace(const char *path, const char *text, bool sync,
			struct isolab_error *err)
{
	char tmp[4096];
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= sizeof(tmp))
		return isolab_error_set(err, -ENAMETOOLONG, "write `%s`: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "write `%s`", path);
	rc = isolab_write_all(fd, text, strlen(text));
	if (rc == 0 && sync && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return isolab_error_errno(err, rc, "write `%s`", path);
	}
	return 0;
}

int isolab_json_write_atomic(const char *path, const cJSON *doc,
			     struct isolab_error *err)
{
	char *text = cJSON_Print(doc);
	size_t len;
	char *line;
	int rc;

	if (text == NULL)
		return isolab_error_set(err, -ENOMEM, "write `%s`: cannot serialise JSON", path);
	len = strlen(text);
	line = realloc(text, len + 2);
	if (line == NULL) {
		free(text);
		return isolab_error_set(err, -ENOMEM, "write `%s`: out of memory", path);
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	rc = isolab_text_write_atomic(path, line, err);
	free(line);
	return rc;
}

int isolab_json_parse(const char *text, const char *what, cJSON **out,
		      struct isolab_error *err)
{
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithOpts(text, &end, 1);

	if (doc == NULL) {
		long off = end ? (long)(end - text) : -1;

		return isolab_error_set(err, -EINVAL, "%s: malformed JSON near byte %ld",
					what, off);
	}
	*out = doc;
	return 0;
}

int isolab_json_read(const char *path, cJSON **out, struct isolab_error *err)
{
	/* Only a regular file: a FIFO named config.json must not hang us. */
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int rc = isolab_read_regular(path, SIZE_MAX - 1, &buf, &len, err);

	return rc < 0 ? rc : isolab_json_parse(buf, path, out, err);
}
