/* child_setup.c: sysctls, oom_score_adj, umask, personality and the
 * container-side hooks, in the container's first process (see child_setup.h). */
#include "container/child_setup.h"
#include "common/cleanup.h"
#include "container/child_msg.h"
#include "container/hooks.h"
#include "container/reap.h"
#include "container/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_text(const char *path, const char *text, const char *what,
		      struct isolab_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = strlen(text);

	if (fd < 0)
		return isolab_error_errno(err, -errno, "%s: open `%s`", what, path);
	if (write(fd, text, len) != (ssize_t)len)
		return isolab_error_errno(err, -errno, "%s: write `%s` to `%s`", what, text, path);
	return 0;
}

int ctr_child_sysctls(const struct ctr_config *cfg, struct isolab_error *err)
{
	for (size_t i = 0; i < cfg->n_sysctls; i++) {
		char path[PATH_MAX], what[160];

		snprintf(what, sizeof(what), "linux.sysctl `%.100s`", cfg->sysctls[i].key);
		if (ctr_sysctl_path(cfg->sysctls[i].key, path, sizeof(path)) < 0)
			return isolab_error_set(err, -ENAMETOOLONG, "%s: name too long", what);
		if (write_text(path, cfg->sysctls[i].value, what, err) < 0)
			return err->code;
	}
	return 0;
}

int ctr_child_process_extras(const struct ctr_config *cfg, struct isolab_error *err)
{
	if (cfg->has_oom_score_adj) {
		char text[16];

		snprintf(text, sizeof(text), "%d", cfg->oom_score_adj);
		if (write_text("/proc/self/oom_score_adj", text, "process.oomScoreAdj", err) < 0)
			return err->code;
	}
	if (cfg->personality >= 0 && personality((unsigned long)cfg->personality) < 0)
		return isolab_error_errno(err, -errno, "linux.personality %#lx", cfg->personality);
	umask(cfg->umask >= 0 ? (mode_t)cfg->umask : 0022);
	return 0;
}

bool ctr_child_has_hooks(const struct ctr_config *cfg)
{
	return cfg->n_hooks[CTR_HOOK_PRESTART] || cfg->n_hooks[CTR_HOOK_CREATE_RUNTIME] ||
	       cfg->n_hooks[CTR_HOOK_CREATE_CONTAINER] || cfg->n_hooks[CTR_HOOK_START_CONTAINER];
}

int ctr_child_create_hooks(int sock, const struct ctr_config *cfg, char **state,
			   struct isolab_error *err)
{
	struct ctr_child_msg msg = { .type = MSG_HOOKS };
	char *buf = malloc(CTR_HOOKS_STATE_MAX + 1);
	mode_t old;
	ssize_t n;
	int rc;

	if (buf == NULL)
		return isolab_error_set(err, -ENOMEM, "hooks: out of memory");
	ctr_child_send(sock, &msg);
	do
		n = recv(sock, buf, CTR_HOOKS_STATE_MAX, 0);
	while (n < 0 && errno == EINTR);
	if (n < 1 || buf[0] != CTR_HOOKS_ACK)
		_exit(CTR_EXIT_RUNTIME); /* the runtime gave up (its hook failed) */
	memmove(buf, buf + 1, (size_t)n - 1);
	buf[n - 1] = '\0';
	*state = buf;
	old = umask(0022); /* the mounts are made with 0 */
	rc = ctr_hooks_run(cfg, CTR_HOOK_CREATE_CONTAINER, buf, err);
	umask(old);
	return rc;
}

int ctr_child_start_hooks(const struct ctr_config *cfg, const char *state,
			  struct isolab_error *err)
{
	_cleanup_free_ char *created = NULL;

	if (cfg->n_hooks[CTR_HOOK_START_CONTAINER] == 0)
		return 0;
	created = ctr_hook_state(state ? state : "{}", "created");
	if (created == NULL)
		return isolab_error_set(err, -ENOMEM, "hooks: out of memory");
	return ctr_hooks_run(cfg, CTR_HOOK_START_CONTAINER, created, err);
}
