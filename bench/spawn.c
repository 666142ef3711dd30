/* spawn.c: launching and timing children (see spawn.h). */
#include "bench/spawn.h"
#include "common/timing.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

volatile sig_atomic_t bench_stop_requested;

static void on_stop(int sig)
{
	bench_stop_requested = sig;
}

void bench_install_stop_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int bench_child_spawn(struct bench_child *c, char *const argv[], bool stdin_pipe,
		      struct isolab_error *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int out[2], in[2] = { -1, -1 }, rc;
	sigset_t none;

	memset(c, 0, sizeof(*c));
	c->out_fd = c->in_fd = c->pid_fd = -1;
	c->pid = -1;
	if (pipe2(out, O_CLOEXEC) < 0)
		return isolab_error_errno(err, -errno, "pipe for `%s`", argv[0]);
	if (stdin_pipe && pipe2(in, O_CLOEXEC) < 0) {
		rc = -errno;
		close(out[0]);
		close(out[1]);
		return isolab_error_errno(err, rc, "pipe for `%s`", argv[0]);
	}
	posix_spawn_file_actions_init(&fa);
	if (stdin_pipe)
		posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDERR_FILENO);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	{
		sigset_t def;

		sigemptyset(&def);
		sigaddset(&def, SIGINT);
		sigaddset(&def, SIGTERM);
		sigaddset(&def, SIGHUP);
		sigaddset(&def, SIGPIPE);
		posix_spawnattr_setsigdefault(&attr, &def);
	}
	c->t_start = isolab_now_ns();
	rc = posix_spawnp(&c->pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(out[1]);
	if (stdin_pipe)
		close(in[0]);
	if (rc != 0) {
		close(out[0]);
		if (stdin_pipe)
			close(in[1]);
		c->pid = -1;
		return isolab_error_errno(err, -rc, "start `%s`", argv[0]);
	}
	c->out_fd = out[0];
	c->in_fd = stdin_pipe ? in[1] : -1;
	c->pid_fd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (c->pid_fd < 0) {
		rc = -errno;
		bench_child_release(c);
		return isolab_error_errno(err, rc, "pidfd_open for `%s`", argv[0]);
	}
	return 0;
}

/* Appends what is readable now; returns bytes read, 0 at EOF, -errno. */
static ssize_t read_some(struct bench_child *c)
{
	char buf[8192];
	ssize_t n = read(c->out_fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -errno;
	if (n == 0) {
		c->eof = true;
		return 0;
	}
	if (c->len + (size_t)n + 1 > c->cap && c->len < BENCH_OUTPUT_MAX) {
		size_t cap = c->cap ? c->cap * 2 : 16384;
		char *p;

		while (cap < c->len + (size_t)n + 1)
			cap *= 2;
		p = realloc(c->out, cap);
		if (p == NULL)
			return -ENOMEM;
		c->out = p;
		c->cap = cap;
	}
	if (c->len + (size_t)n + 1 <= c->cap) {
		memcpy(c->out + c->len, buf, (size_t)n);
		c->len += (size_t)n;
		c->out[c->len] = '\0';
	}
	return n;
}

/*
 * How long a child killed with SIGKILL may take to be gone. A process
 * stuck in the kernel (a vCPU that KVM cannot kick, a hung mount) may
 * never die: waiting for it would turn one bad run into a hung suite.
 */
#define REAP_GRACE_MS 10000

static void reap(struct bench_child *c)
{
	if (c->exited)
		return;
	if (c->pid_fd >= 0) {
		struct pollfd pf = { .fd = c->pid_fd, .events = POLLIN };
		uint64_t until = isolab_now_ns() + REAP_GRACE_MS * 1000000ull;
		int rc;

		do {
			uint64_t now = isolab_now_ns();
			rc = now >= until ? 0 : poll(&pf, 1, (int)((until - now) / 1000000u) + 1);
		} while (rc < 0 && errno == EINTR);
		if (rc == 0) {
			fprintf(stderr, "isolab-bench: pid %d is still there %d s after SIGKILL "
				"(stuck in the kernel?); going on without it\n", (int)c->pid,
				REAP_GRACE_MS / 1000);
			c->abandoned = true;
			return;
		}
	}
	if (waitpid(c->pid, &c->status, c->pid_fd >= 0 ? WNOHANG : 0) == c->pid) {
		c->exited = true;
		if (c->t_exit == 0)
			c->t_exit = isolab_now_ns();
	}
}

/* One poll round over output and exit; returns -errno on a hard error. */
static int pump(struct bench_child *c, uint64_t deadline_ns)
{
	struct pollfd pf[2] = {
		{ .fd = c->eof ? -1 : c->out_fd, .events = POLLIN },
		{ .fd = c->exited ? -1 : c->pid_fd, .events = POLLIN },
	};
	uint64_t now = isolab_now_ns();
	int ms = now >= deadline_ns ? 0 : (int)((deadline_ns - now) / 1000000u) + 1;
	int rc;

	if (ms > 200)
		ms = 200; /* wake up now and then to notice stop requests */
	rc = poll(pf, 2, ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	if (pf[1].revents) {
		c->t_exit = isolab_now_ns();
		reap(c);
	}
	if (pf[0].revents) {
		ssize_t n = read_some(c);

		if (n < 0)
			return (int)n;
	}
	return 0;
}

int bench_child_wait_line(struct bench_child *c, const char *needle, uint64_t deadline_ns)
{
	for (;;) {
		char *hit = c->out ? strstr(c->out, needle) : NULL;
		int rc;

		if (hit != NULL && strchr(hit, '\n') != NULL) {
			if (c->t_line == 0)
				c->t_line = isolab_now_ns();
			return 0;
		}
		if (bench_stop_requested)
			return -EINTR;
		if (c->eof || (c->exited && c->out_fd < 0))
			return -EPIPE;
		if (isolab_now_ns() >= deadline_ns)
			return -ETIMEDOUT;
		rc = pump(c, deadline_ns);
		if (rc < 0)
			return rc;
		/* Timestamp right after the read that completed the line. */
		hit = c->out ? strstr(c->out, needle) : NULL;
		if (hit != NULL && strchr(hit, '\n') != NULL && c->t_line == 0)
			c->t_line = isolab_now_ns();
	}
}

/* Pumps c's output until it has exited and, with eof, its output has
 * ended (or 2 s after the exit: something it started may hold the pipe);
 * kills it at the deadline, and on a stop request when stoppable. */
static int pump_until(struct bench_child *c, uint64_t deadline_ns, bool eof, bool stoppable)
{
	while (!c->exited || (eof && !c->eof)) {
		int rc;

		if ((stoppable && bench_stop_requested) || isolab_now_ns() >= deadline_ns) {
			bench_child_kill(c, SIGKILL);
			reap(c);
			return stoppable && bench_stop_requested ? -EINTR : -ETIMEDOUT;
		}
		if (c->exited && isolab_now_ns() > c->t_exit + 2000000000ull)
			break;
		rc = pump(c, deadline_ns);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int bench_child_finish(struct bench_child *c, uint64_t deadline_ns)
{
	return pump_until(c, deadline_ns, true, true);
}

int bench_child_wait_exit(struct bench_child *c, uint64_t deadline_ns)
{
	int rc = pump_until(c, deadline_ns, false, false);

	if (rc < 0)
		return rc;
	if (bench_stop_requested)
		return -EINTR;
	/* What it wrote before it exited, without waiting for the output's end. */
	for (;;) {
		struct pollfd pf = { .fd = c->eof ? -1 : c->out_fd, .events = POLLIN };

		if (poll(&pf, 1, 0) <= 0 || !(pf.revents & (POLLIN | POLLHUP)) || read_some(c) <= 0)
			return 0;
	}
}

void bench_child_kill(struct bench_child *c, int sig)
{
	if (c->pid > 0 && !c->exited && !c->abandoned)
		kill(-c->pid, sig);
}

int bench_child_exit_code(const struct bench_child *c)
{
	if (!c->exited)
		return -1;
	if (WIFEXITED(c->status))
		return WEXITSTATUS(c->status);
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return -1;
}

void bench_child_tail(const struct bench_child *c, char *buf, size_t size)
{
	size_t start, i, j = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (c->out == NULL)
		return;
	start = c->len > size / 2 ? c->len - size / 2 : 0;
	for (i = start; i < c->len && j + 4 < size; i++) {
		char ch = c->out[i];

		if (ch == '\n') {
			if (j > 0 && i + 1 < c->len) {
				memcpy(buf + j, " | ", 3);
				j += 3;
			}
		} else if (ch != '\r') {
			buf[j++] = (ch >= 32 && ch < 127) ? ch : '?';
		}
	}
	buf[j] = '\0';
}

void bench_child_release(struct bench_child *c)
{
	if (c->pid > 0 && !c->exited && !c->abandoned) {
		kill(-c->pid, SIGKILL);
		reap(c);
	}
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->in_fd >= 0)
		close(c->in_fd);
	if (c->pid_fd >= 0)
		close(c->pid_fd);
	c->out_fd = c->in_fd = c->pid_fd = -1;
	free(c->out);
	c->out = NULL;
	c->len = c->cap = 0;
}
