/* child.c: the container's first process, clone3 to exec (see child.h). */
#include "container/child.h"
#include "common/mkdir.h"
#include "common/timing.h"
#include "container/caps.h"
#include "container/child_msg.h"
#include "container/child_setup.h"
#include "container/devices.h"
#include "container/fds.h"
#include "container/init_exec.h"
#include "container/mounts.h"
#include "container/netns.h"
#include "container/reap.h"
#include "container/seccomp.h"
#include "container/tty.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Nothing the runtime or its caller holds open reaches the program
 * (fds.h), and the container is not in the caller's session, so its
 * terminal is not the container's controlling one (TIOCSTI). */
static int leave_the_caller(struct isolab_error *err)
{
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* A session keyring of its own, as runc gives each container: the
	 * caller's session keys are not the container's (seccomp blocks
	 * keyctl by default; this holds with seccomp=unconfined too). A kernel
	 * without keys, or a caller's filter that refuses keyctl, is fine. */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS &&
	    errno != EPERM && errno != EACCES)
		return isolab_error_errno(err, -errno, "a session keyring of its own");
	rc = ctr_fds_cloexec_from(3);
	if (rc < 0)
		return isolab_error_errno(err, rc, "mark inherited fds close-on-exec");
	if (setsid() < 0)
		return isolab_error_errno(err, -errno, "setsid");
	return 0;
}

/* Waits for the parent's "go" (it has put us in the cgroup and written the
 * id maps; EOF means it gave up, and there is nothing to report), then
 * takes the namespace roles that depend on those: root of the user
 * namespace, own cgroup namespace. */
static int wait_go(const struct ctr_child_ctx *c, struct isolab_error *err)
{
	ssize_t n;
	char go;

	do
		n = read(c->sock, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(CTR_EXIT_RUNTIME);
	/* Become root of the new user namespace (its kuid is the mapped one). */
	if ((c->cfg->namespaces & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return isolab_error_errno(err, -errno, "become root in the user namespace");
	if (c->unshare_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		return isolab_error_errno(err, -errno, "unshare the cgroup namespace");
	return 0;
}

/* The state the runtime sent with its hooks' ack (child_setup.h). */
static char *hook_state;

static int hooks_before_pivot(const void *arg, struct isolab_error *err)
{
	const struct ctr_child_ctx *c = arg;

	return ctr_child_create_hooks(c->sock, c->cfg, &hook_state, err);
}

static int sysctls_after_pivot(const void *arg, struct isolab_error *err)
{
	const struct ctr_child_ctx *c = arg;

	return ctr_child_sysctls(c->cfg, err);
}

/* The root file system and its devices (mounts.h), made with umask 0 so
 * the modes are the ones asked for. */
static int make_file_system(const struct ctr_child_ctx *c, unsigned long long times[2],
			    struct isolab_error *err)
{
	int rc;

	const struct ctr_mounts_steps steps = {
		.before_pivot = ctr_child_has_hooks(c->cfg) ? hooks_before_pivot : NULL,
		.after_pivot = sysctls_after_pivot,
		.arg = c,
	};

	umask(0);
	rc = ctr_mounts_setup(c->cfg, c->state, c->cgmode, &steps, times, err);
	if (rc == 0)
		rc = ctr_devices_make_nodes(c->cfg, err);
	umask(0022);
	return rc;
}

/* Hostname, loopback, and with -t a terminal on the container's own
 * devpts, after the pivot; its master goes to the runtime. */
int ctr_child_open_terminal(int sock, const struct ctr_config *cfg, struct isolab_error *err)
{
	struct ctr_child_msg tm = { .type = MSG_TTY };
	int master = ctr_tty_create(err), rc;

	if (master < 0)
		return master;
	if (cfg->console_rows || cfg->console_cols) { /* process.consoleSize */
		struct winsize ws = { .ws_row = cfg->console_rows, .ws_col = cfg->console_cols };

		ioctl(master, TIOCSWINSZ, &ws);
	}
	rc = ctr_send_with_fd(sock, &tm, sizeof(tm), master);
	close(master);
	if (rc < 0)
		return isolab_error_errno(err, rc, "-t: pass the terminal to the runtime");
	return 0;
}

static int name_network_terminal(const struct ctr_child_ctx *c, struct isolab_error *err)
{
	const struct ctr_config *cfg = c->cfg;

	if (cfg->namespaces & CLONE_NEWUTS) {
		const char *h = cfg->hostname ? cfg->hostname : cfg->id;

		if (sethostname(h, strnlen(h, 64)) < 0)
			return isolab_error_errno(err, -errno, "sethostname `%s`", h);
	}
	if ((cfg->namespaces & CLONE_NEWNET) && ctr_netns_loopback_up(err) < 0)
		return err->code;
	if (cfg->tty)
		return ctr_child_open_terminal(c->sock, cfg, err);
	return 0;
}

static int set_user(const struct ctr_config *cfg, struct isolab_error *err)
{
	gid_t groups[64] = { 0 };
	size_t n = cfg->n_groups < 64 ? cfg->n_groups : 64;

	for (size_t i = 0; i < n; i++)
		groups[i] = cfg->groups[i];
	if (setgroups(n, groups) < 0 && !(errno == EPERM && n == 0))
		return isolab_error_errno(err, -errno, "setgroups");
	if (setresgid(cfg->gid, cfg->gid, cfg->gid) < 0)
		return isolab_error_errno(err, -errno, "setgid %u", cfg->gid);
	if (cfg->uid != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return isolab_error_errno(err, -errno, "PR_SET_KEEPCAPS");
	if (setresuid(cfg->uid, cfg->uid, cfg->uid) < 0)
		return isolab_error_errno(err, -errno, "setuid %u", cfg->uid);
	return 0;
}

/* The working directory, made (as the process's user) when the root
 * file system lacks it, as runc and Docker do. */
static int chdir_cwd(const char *cwd)
{
	int rc;

	if (chdir(cwd) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	rc = isolab_mkdir_p(cwd, 0755);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return chdir(cwd);
}

/* What the program runs with: rlimits, the seccomp filter, capabilities,
 * user, no_new_privs, working directory. Without no_new_privs the filter
 * needs CAP_SYS_ADMIN: it is loaded while we have it (runc does the
 * same); else last. */
int ctr_child_set_process(const struct ctr_config *cfg, struct isolab_error *err)
{
	if (ctr_child_process_extras(cfg, err) < 0)
		return err->code;
	for (size_t i = 0; i < cfg->n_rlimits; i++) {
		struct rlimit rl = { cfg->rlimits[i].soft, cfg->rlimits[i].hard };

		if (setrlimit(cfg->rlimits[i].resource, &rl) < 0)
			return isolab_error_errno(err, -errno, "setrlimit %d", cfg->rlimits[i].resource);
	}
	if (cfg->seccomp != NULL && !cfg->no_new_privs && ctr_seccomp_load(cfg->seccomp, err) < 0)
		return err->code;
	if (ctr_caps_drop_bounding(&cfg->caps, err) < 0 || set_user(cfg, err) < 0 ||
	    ctr_caps_apply(&cfg->caps, err) < 0)
		return err->code;
	if (cfg->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return isolab_error_errno(err, -errno, "PR_SET_NO_NEW_PRIVS");
	if (chdir_cwd(cfg->cwd ? cfg->cwd : "/") < 0)
		return isolab_error_errno(err, -errno, "working directory `%s`", cfg->cwd);
	if (cfg->seccomp != NULL && cfg->no_new_privs && ctr_seccomp_load(cfg->seccomp, err) < 0)
		return err->code;
	return 0;
}

/* `create`: tells the runtime all is set up, then blocks until `start`
 * opens exec.fifo and reads the byte written here. Through
 * /proc/self/fd: the fifo is outside the new root (runc does the same). */
static int wait_for_start(const struct ctr_child_ctx *c, struct isolab_error *err)
{
	struct ctr_child_msg created = { .type = MSG_CREATED };
	char path[40], detach;
	ssize_t n;
	int fd;

	ctr_child_send(c->sock, &created);
	do
		n = read(c->sock, &detach, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(CTR_EXIT_RUNTIME); /* the runtime gave up */
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
		return isolab_error_errno(err, -errno, "PR_SET_PDEATHSIG");
	/* The runtime exits only once it has this: not before the line above. */
	if (send(c->sock, "A", 1, MSG_NOSIGNAL) != 1)
		_exit(CTR_EXIT_RUNTIME);
	/* Not a runtime any more (ps, pgrep -x isolab-ctr): runc's shows as
	 * `runc init` the same way. */
	prctl(PR_SET_NAME, "isolab-ctr init", 0, 0, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", c->exec_fifo);
	do
		fd = open(path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "open exec.fifo (through `%s`)", path);
	/* `start` is here: the startContainer hooks before it reads the byte,
	 * so its poststart ones follow them (and a failure fails `start`). */
	if (ctr_child_start_hooks(c->cfg, hook_state, err) < 0) {
		close(fd);
		return err->code;
	}
	if (write(fd, "0", 1) != 1) {
		int rc = isolab_error_errno(err, -errno, "write exec.fifo");

		close(fd);
		return rc;
	}
	close(fd);
	close(c->exec_fifo);
	return 0;
}

/*
 * --init: this process (PID 1) forks the command, then becomes the init
 * program from its sealed memfd (init_exec.h): no runtime code, fds or
 * environment stay in PID 1. The forwarded signals stay blocked across
 * the exec until the init's handlers are in place. Returns 0 in the
 * command's process only.
 */
static int become_init(const struct ctr_child_ctx *c, struct isolab_error *err)
{
	sigset_t fwd, old;
	int exec_done[2];
	pid_t pid;
	int rc;
	char byte;

	/* The command waits until PID 1 is the init (the pipe's write end is
	 * close-on-exec: EOF once the exec is done), so it never sees the
	 * runtime's fds or environment in PID 1. */
	if (pipe2(exec_done, O_CLOEXEC) < 0)
		return isolab_error_errno(err, -errno, "--init: pipe");
	sigemptyset(&fwd);
	for (size_t i = 0; i < CTR_N_FORWARDED; i++)
		sigaddset(&fwd, ctr_forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	pid = fork();
	if (pid < 0)
		return isolab_error_errno(err, -errno, "--init: fork the command");
	if (pid == 0) {
		close(exec_done[1]);
		while (read(exec_done[0], &byte, 1) < 0 && errno == EINTR)
			;
		close(exec_done[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	close(exec_done[0]);
	rc = ctr_init_exec(c->helper_memfd, pid);
	kill(pid, SIGKILL);
	return isolab_error_errno(err, rc, "--init: exec the init");
}

/* A v1 /sys/fs/cgroup shows the container's own cgroups (cgroupfs.h):
 * it is made once the child is in them. */
static bool has_cgroup_mount(const struct ctr_config *cfg)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (cfg->mounts[i].type != NULL && strncmp(cfg->mounts[i].type, "cgroup", 6) == 0)
			return true;
	return false;
}

/* Every step up to the exec; returns only on failure. */
static int child_steps(const struct ctr_child_ctx *c, struct ctr_child_msg *times,
		       struct isolab_error *err)
{
	const struct ctr_config *cfg = c->cfg;
	/*
	 * Without a user namespace the file system work needs nothing from the
	 * parent, so it overlaps with the parent's cgroup attach; "go" is
	 * awaited just before the cgroup namespace and exec. With one, the id
	 * maps must be written first.
	 */
	bool early = !(cfg->namespaces & CLONE_NEWUSER) &&
		     !(c->unshare_cgroupns && c->cgmode == CTR_CGROUP_V2) &&
		     !(c->cgmode != CTR_CGROUP_V2 && has_cgroup_mount(cfg)) &&
		     !ctr_child_has_hooks(cfg); /* MSG_HOOKS waits for the runtime's answer */
	int rc;

	rc = leave_the_caller(err);
	if (rc == 0 && !early)
		rc = wait_go(c, err);
	if (rc == 0)
		rc = make_file_system(c, times->times, err);
	if (rc == 0)
		rc = name_network_terminal(c, err);
	if (rc == 0 && early)
		rc = wait_go(c, err);
	if (rc == 0)
		rc = ctr_child_set_process(cfg, err);
	if (rc == 0 && c->detached)
		rc = wait_for_start(c, err);
	if (rc == 0 && !c->detached)
		rc = ctr_child_start_hooks(cfg, hook_state, err);
	if (rc == 0 && cfg->init)
		rc = become_init(c, err);
	if (rc < 0)
		return rc;
	times->times[2] = isolab_since_start_ns();
	ctr_child_send(c->sock, times);
	/* Through the helper, never from this (the host's) binary; on success
	 * the socket closes with the program's exec: EOF = running. */
	rc = ctr_exec_via_helper(c->helper_memfd, c->sock, cfg->argv, cfg->env);
	return isolab_error_errno(err, rc, "exec the runtime's exec helper");
}

void ctr_child_main(const struct ctr_child_ctx *c)
{
	struct isolab_error err = { 0 };
	struct ctr_child_msg times = { .type = MSG_TIMES };

	/* The clone phase ends when the child runs (the parent may be
	 * descheduled after clone3 while the child goes on). */
	times.times[3] = isolab_since_start_ns();
	child_steps(c, &times, &err);
	ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
}
