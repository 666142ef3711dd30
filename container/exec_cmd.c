/* exec_cmd.c: the PATH search and exec of the container's program (see exec_cmd.h). */
#include "container/exec_cmd.h"
#include "container/reap.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *env_path(char *const envp[])
{
	for (size_t i = 0; envp[i] != NULL; i++)
		if (strncmp(envp[i], "PATH=", 5) == 0)
			return envp[i] + 5;
	return CTR_DEFAULT_PATH;
}

int ctr_exec_command(char *const argv[], char *const envp[], struct isolab_error *err)
{
	const char *cmd = argv[0];
	bool eacces = false;
	int saved = ENOENT;

	if (strchr(cmd, '/') != NULL) {
		execve(cmd, argv, envp);
		saved = errno;
	} else {
		const char *path = env_path(envp);

		while (*path) {
			const char *colon = strchr(path, ':');
			size_t len = colon ? (size_t)(colon - path) : strlen(path);
			char full[PATH_MAX];

			if (snprintf(full, sizeof(full), "%.*s%s%s", (int)len, path,
				     len ? "/" : "", cmd) < (int)sizeof(full)) {
				execve(full, argv, envp);
				if (errno == EACCES || errno == ENOEXEC || errno == EISDIR)
					eacces = true, saved = errno;
				else if (errno != ENOENT && errno != ENOTDIR)
					saved = errno;
			}
			path += len + (colon != NULL);
		}
		if (!eacces && saved == ENOENT) {
			isolab_error_set(err, -ENOENT, "exec `%s`: command not found in PATH", cmd);
			return CTR_EXIT_NOTFOUND;
		}
	}
	isolab_error_errno(err, -saved, "exec `%s`", cmd);
	if (saved == ENOENT || saved == ENOTDIR)
		return CTR_EXIT_NOTFOUND;
	if (saved == EACCES || saved == ENOEXEC || saved == EISDIR || saved == EPERM)
		return CTR_EXIT_NOEXEC;
	return CTR_EXIT_RUNTIME;
}
