/* exec_into.c: a process joins a running container (see exec_into.h). */
#include "container/exec_into.h"
#include "common/cleanup.h"
#include "container/child.h"
#include "container/child_msg.h"
#include "container/fds.h"
#include "container/init_exec.h"
#include "container/lifecycle.h"
#include "container/reap.h"
#include "container/run.h"
#include "container/tty.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* In this order: the user namespace first (it owns the others), mount last
 * (it changes our root). pid is joined by the runtime itself. */
static const struct {
	int flag;
	const char *name;
} joined[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWIPC, "ipc" },       { CLONE_NEWUTS, "uts" },
	{ CLONE_NEWNET, "net" },   { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWNS, "mnt" },
};
#define N_JOINED (sizeof(joined) / sizeof(joined[0]))

struct exec_ctx {
	const struct ctr_config *cfg;
	int nsfd[N_JOINED];
	int sock, helper_memfd;
	bool detach;
	unsigned preserve_fds;
};

static int open_ns(int pid, const char *name, struct isolab_error *err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "open `%s`", path);
	return fd;
}

/* The new process: waits for "go" (it is in the cgroup), joins, execs. */
__attribute__((noreturn)) static void exec_child(const struct exec_ctx *x)
{
	struct isolab_error err = { 0 };
	char go;
	int rc = 0;

	if (!x->detach)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (read(x->sock, &go, 1) != 1)
		_exit(CTR_EXIT_RUNTIME);
	for (size_t i = 0; i < N_JOINED && rc == 0; i++)
		if (x->nsfd[i] >= 0 && setns(x->nsfd[i], joined[i].flag) < 0)
			rc = isolab_error_errno(&err, -errno, "join the container's %s namespace",
						joined[i].name);
	if (rc == 0 && (x->cfg->namespaces & CLONE_NEWUSER) &&
	    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		rc = isolab_error_errno(&err, -errno, "become root in the user namespace");
	if (rc == 0) {
		rc = ctr_fds_cloexec_from(3 + (int)x->preserve_fds);
		if (rc < 0)
			isolab_error_errno(&err, rc, "mark inherited fds close-on-exec");
	}
	if (rc == 0 && setsid() < 0)
		rc = isolab_error_errno(&err, -errno, "setsid");
	if (rc == 0 && x->cfg->tty) /* the mount namespace joined: its root is ours */
		rc = ctr_child_open_terminal(x->sock, x->cfg, &err);
	if (rc == 0)
		rc = ctr_child_set_process(x->cfg, &err);
	if (rc == 0)
		isolab_error_errno(&err, ctr_exec_via_helper(x->helper_memfd, x->sock, x->cfg->argv,
							     x->cfg->env),
				   "exec the runtime's exec helper");
	ctr_child_fail(x->sock, CTR_EXIT_RUNTIME, &err);
}

/* Reads the new process's reports until EOF (it runs its program) or an
 * error; 0, or its error with *status. The terminal's master, if one
 * came, into *master. */
static int read_reports(int sock, int *status, int *master, struct isolab_error *err)
{
	struct ctr_child_msg msg;
	int rc = 0;

	for (;;) {
		int fd;
		ssize_t n = ctr_recv_with_fd(sock, &msg, sizeof(msg), &fd);

		if (fd >= 0 && n == (ssize_t)sizeof(msg) && msg.type == MSG_TTY && *master < 0)
			*master = fd;
		else if (fd >= 0)
			close(fd);
		if (n != (ssize_t)sizeof(msg))
			return rc;
		if (msg.type == MSG_ERROR) {
			*status = msg.status;
			rc = ctr_child_msg_to_error(&msg, err);
		}
	}
}

static void close_all(struct exec_ctx *x)
{
	for (size_t i = 0; i < N_JOINED; i++)
		if (x->nsfd[i] >= 0)
			close(isolab_take_fd(&x->nsfd[i]));
	if (x->helper_memfd >= 0)
		close(isolab_take_fd(&x->helper_memfd));
}

/* Opens what the new process joins; in the runtime itself, the pid
 * namespace (for the fork that follows). */
static int open_namespaces(const struct ctr_saved *s, struct exec_ctx *x, struct isolab_error *err)
{
	for (size_t i = 0; i < N_JOINED; i++) {
		if (!(x->cfg->namespaces & joined[i].flag))
			continue;
		x->nsfd[i] = open_ns(s->pid, joined[i].name, err);
		if (x->nsfd[i] < 0)
			return x->nsfd[i];
	}
	if (x->cfg->namespaces & CLONE_NEWPID) {
		_cleanup_close_ int fd = open_ns(s->pid, "pid", err);

		if (fd < 0)
			return fd;
		if (setns(fd, CLONE_NEWPID) < 0)
			return isolab_error_errno(err, -errno, "join the container's pid namespace");
	}
	return 0;
}

/* The terminal's master (taken): to --console-socket with -d, else
 * relayed to our stdio until the process pid is gone. */
static int hand_terminal(int master, pid_t pid, const struct ctr_exec_opts *o,
			 struct isolab_error *err)
{
	struct ctr_tty t = { .master = -1 };
	_cleanup_close_ int pidfd = -1;
	int rc;

	if (o->detach) {
		rc = ctr_console_send(o->console_socket, master, err);
		close(master);
		return rc;
	}
	ctr_tty_adopt(&t, master);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		rc = isolab_error_errno(err, -errno, "-t: pidfd_open");
	else
		rc = ctr_tty_relay(&t, pidfd, err);
	ctr_tty_close(&t);
	return rc;
}

int ctr_exec_into(const struct ctr_saved *s, const struct ctr_config *cfg,
		  const struct ctr_exec_opts *o, int *status, struct isolab_error *err)
{
	struct exec_ctx x = { .cfg = cfg, .helper_memfd = -1, .detach = o->detach,
			      .preserve_fds = o->preserve_fds };
	_cleanup_close_ int runtime_end = -1, child_end = -1, master = -1;
	struct ctr_cgroup cg;
	int sv[2], rc, ws;
	pid_t pid;

	*status = CTR_EXIT_RUNTIME;
	for (size_t i = 0; i < N_JOINED; i++)
		x.nsfd[i] = -1;
	rc = ctr_cgroup_reopen(&cg, s->cgmode, s->cgroup_path, s->id, err);
	if (rc == 0)
		rc = open_namespaces(s, &x, err);
	if (rc == 0) {
		x.helper_memfd = ctr_helper_memfd(err);
		rc = x.helper_memfd < 0 ? x.helper_memfd : 0;
	}
	if (rc == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		rc = isolab_error_errno(err, -errno, "socketpair");
	if (rc < 0) {
		close_all(&x);
		return rc;
	}
	runtime_end = sv[0];
	child_end = sv[1];
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close_all(&x);
		return isolab_error_errno(err, -errno, "fork");
	}
	if (pid == 0) {
		close(runtime_end);
		x.sock = child_end;
		exec_child(&x);
	}
	close_all(&x);
	close(isolab_take_fd(&child_end));
	if (!o->detach)
		ctr_forward_signals_to(pid); /* as runc exec forwards them */
	/* In the container's cgroup(s) before it runs anything of its own. */
	rc = ctr_cgroup_attach(&cg, pid, err);
	if (rc == 0 && send(runtime_end, "G", 1, MSG_NOSIGNAL) != 1)
		rc = isolab_error_errno(err, -errno, "start the process");
	if (rc == 0)
		rc = read_reports(runtime_end, status, &master, err);
	if (rc == 0 && o->pid_file != NULL)
		rc = ctr_pid_file_write(o->pid_file, (int)pid, err);
	if (rc == 0 && master >= 0)
		rc = hand_terminal(isolab_take_fd(&master), pid, o, err);
	if (rc < 0 && *status == CTR_EXIT_RUNTIME)
		kill(pid, SIGKILL);
	if (rc == 0 && o->detach) {
		*status = 0;
		return 0;
	}
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return rc < 0 ? rc : isolab_error_errno(err, -errno, "wait for the process");
	ctr_forward_signals_to(0);
	if (rc < 0)
		return rc;
	*status = ctr_exit_status(ws);
	return 0;
}
