/* hooks_run.c: running config.json's hooks (see hooks.h). */
#include "container/hooks.h"
#include "common/cleanup.h"
#include "container/fds.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The hook's process: the state on fd 0, nothing else of ours open. */
__attribute__((noreturn)) static void exec_hook(const struct ctr_hook *h, int state_fd)
{
	static char *const empty[] = { NULL };
	char *argv_path[] = { h->path, NULL };
	sigset_t none;

	if (dup2(state_fd, 0) < 0)
		_exit(127);
	ctr_fds_cloexec_from(3);
	sigemptyset(&none); /* the runtime blocks SIGWINCH, forwards others */
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(h->path, h->n_args ? h->args : argv_path, h->n_env ? h->env : empty);
	_exit(127);
}

/* Waits for pid, at most timeout seconds (0: no limit); its wait status,
 * or -ETIMEDOUT once it was killed. */
static int wait_hook(pid_t pid, int timeout)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int ws, rc = 0;

	if (pidfd >= 0 && timeout > 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		do
			rc = poll(&p, 1, timeout * 1000);
		while (rc < 0 && errno == EINTR);
		if (rc == 0) {
			kill(pid, SIGKILL);
			rc = -ETIMEDOUT;
		}
	}
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return rc == -ETIMEDOUT ? rc : ws;
}

static int run_one(const struct ctr_hook *h, const char *field, const char *state,
		   struct isolab_error *err)
{
	_cleanup_close_ int ours = -1, theirs = -1;
	size_t len = strlen(state), off = 0;
	int sv[2], ws;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return isolab_error_errno(err, -errno, "%s `%s`: socketpair", field, h->path);
	ours = sv[0];
	theirs = sv[1];
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return isolab_error_errno(err, -errno, "%s `%s`: fork", field, h->path);
	if (pid == 0)
		exec_hook(h, theirs);
	close(isolab_take_fd(&theirs));
	/* A hook that does not read its stdin is fine (EPIPE). */
	while (off < len) {
		ssize_t n = send(ours, state + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(ours, SHUT_WR);
	ws = wait_hook(pid, h->timeout);
	if (ws == -ETIMEDOUT)
		return isolab_error_set(err, -ETIMEDOUT, "%s `%s`: timed out after %d s", field,
					h->path, h->timeout);
	if (ws < 0)
		return isolab_error_errno(err, ws, "%s `%s`: wait", field, h->path);
	if (WIFSIGNALED(ws))
		return isolab_error_set(err, -ECANCELED, "%s `%s`: killed by signal %d", field,
					h->path, WTERMSIG(ws));
	if (WEXITSTATUS(ws) == 127)
		return isolab_error_set(err, -ENOENT, "%s `%s`: exit status 127 (not executable?)",
					field, h->path);
	if (WEXITSTATUS(ws) != 0)
		return isolab_error_set(err, -ECANCELED, "%s `%s`: exit status %d", field, h->path,
					WEXITSTATUS(ws));
	return 0;
}

int ctr_hooks_run(const struct ctr_config *cfg, enum ctr_hook_kind kind, const char *state,
		  struct isolab_error *err)
{
	for (size_t i = 0; i < cfg->n_hooks[kind]; i++) {
		char field[64];
		int rc;

		snprintf(field, sizeof(field), "hooks.%s[%zu]", ctr_hook_kind_name(kind), i);
		rc = run_one(&cfg->hooks[kind][i], field, state ? state : "{}", err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
