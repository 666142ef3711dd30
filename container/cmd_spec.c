/* cmd_spec.c: `isolab-ctr spec [--bundle DIR] [--rootless]`: writes
 * DIR/config.json (spec.h), never over an existing file (runc refuses too). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "container/cli.h"
#include "container/reap.h"
#include "container/spec.h"

static int write_spec(const char *bundle, bool rootless, struct isolab_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	cJSON *doc = ctr_spec_default(rootless, geteuid(), getegid());
	char path[PATH_MAX];
	size_t len, done = 0;

	if (doc != NULL)
		text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (text == NULL)
		return isolab_error_set(err, -ENOMEM, "spec: out of memory");
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return isolab_error_set(err, -ENAMETOOLONG, "spec: bundle `%s`: too long", bundle);
	/* O_EXCL: an existing config.json (or a link in its place) stays. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return isolab_error_set(err, -EEXIST, "spec: `%s` exists: remove it first", path);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "spec: create `%s`", path);
	len = strlen(text);
	text[len++] = '\n'; /* cJSON_Print's NUL: the file ends with a newline */
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int rc = isolab_error_errno(err, -errno, "spec: write `%s`", path);

			unlink(path);
			return rc;
		}
		done += (size_t)n;
	}
	return 0;
}

int ctr_cmd_spec(const struct ctr_cli *cli, const char *bundle, bool rootless)
{
	struct isolab_error err = { 0 };

	if (write_spec(bundle, rootless, &err) < 0) {
		ctr_cli_error(cli, err.msg);
		return CTR_EXIT_RUNTIME;
	}
	return 0;
}
