/* run.c: clone, sync, wait, clean up (see run.h). */
#include "container/run.h"
#include "common/cleanup.h"
#include "common/timing.h"
#include "container/caps.h"
#include "container/cgroup.h"
#include "container/child_msg.h"
#include "container/devices.h"
#include "container/fds.h"
#include "container/init_exec.h"
#include "container/keep_layer.h"
#include "container/netns.h"
#include "container/owner.h"
#include "container/rootfs.h"
#include "container/seccomp.h"
#include "container/tty.h"


#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- child ---- */

struct child_ctx {
	const struct ctr_config *cfg;
	struct ctr_state *state;
	enum ctr_cgroup_mode cgmode;
	bool unshare_cgroupns; /* not cloned into its cgroup: unshare after attach */
	int sock;
	int helper_memfd;      /* the sealed exec helper and init (init_exec.h) */
};

static int set_user(const struct ctr_config *cfg, struct isolab_error *err)
{
	gid_t groups[64];
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

/* Waits for the parent's "go" (it has put us in the cgroup and written the
 * id maps; EOF means it gave up), then takes the namespace roles that
 * depend on those: root of the user namespace, own cgroup namespace. */
static void wait_go(struct child_ctx *c)
{
	struct isolab_error err = { 0 };
	ssize_t n;
	char go;

	do
		n = read(c->sock, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(CTR_EXIT_RUNTIME);
	if (c->cfg->namespaces & CLONE_NEWUSER) {
		/* Become root of the new user namespace (its kuid is the mapped one). */
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
			isolab_error_errno(&err, -errno, "become root in the user namespace");
			ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
		}
	}
	if (c->unshare_cgroupns && unshare(CLONE_NEWCGROUP) < 0) {
		isolab_error_errno(&err, -errno, "unshare the cgroup namespace");
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	}
}

/*
 * --init: this process (PID 1) forks the command, then becomes the init
 * program from its sealed memfd (init_exec.h): no runtime code, fds or
 * environment stay in PID 1. The forwarded signals stay blocked across
 * the exec until the init's handlers are in place. Returns in the
 * command's process only.
 */
static void run_init(struct child_ctx *c)
{
	struct isolab_error err = { 0 };
	sigset_t fwd, old;
	pid_t pid;
	int rc;

	sigemptyset(&fwd);
	for (size_t i = 0; i < CTR_N_FORWARDED; i++)
		sigaddset(&fwd, ctr_forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	pid = fork();
	if (pid < 0) {
		isolab_error_errno(&err, -errno, "--init: fork the command");
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return;
	}
	rc = ctr_init_exec(c->helper_memfd, pid);
	kill(pid, SIGKILL);
	isolab_error_errno(&err, rc, "--init: exec the init");
	ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
}

static __attribute__((noreturn)) void child_main(struct child_ctx *c)
{
	const struct ctr_config *cfg = c->cfg;
	struct isolab_error err = { 0 };
	struct ctr_child_msg times = { .type = MSG_TIMES };

	/* The clone phase ends when the child runs (the parent may be
	 * descheduled after clone3 while the child goes on). */
	times.times[3] = isolab_since_start_ns();

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Nothing the runtime or its caller holds open reaches the program
	 * (fds.h), and the container is not in the caller's session, so its
	 * terminal is not the container's controlling one (TIOCSTI). */
	int rc = ctr_fds_cloexec_from(3);

	if (rc < 0) {
		isolab_error_errno(&err, rc, "mark inherited fds close-on-exec");
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	}
	if (setsid() < 0) {
		isolab_error_errno(&err, -errno, "setsid");
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	}
	/*
	 * Without a user namespace the file system work needs nothing from the
	 * parent, so it overlaps with the parent's cgroup attach; "go" is
	 * awaited just before the cgroup namespace and exec. With one, the id
	 * maps must be written first.
	 */
	bool early = !(cfg->namespaces & CLONE_NEWUSER) &&
		     !(c->unshare_cgroupns && c->cgmode == CTR_CGROUP_V2);

	if (!early)
		wait_go(c);
	umask(0);
	if (ctr_rootfs_setup(cfg, c->state, c->cgmode, times.times, &err) < 0 ||
	    ctr_devices_make_nodes(cfg, &err) < 0)
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	umask(0022);
	if (cfg->namespaces & CLONE_NEWUTS) {
		const char *h = cfg->hostname ? cfg->hostname : cfg->id;

		if (sethostname(h, strnlen(h, 64)) < 0) {
			isolab_error_errno(&err, -errno, "sethostname `%s`", h);
			ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
		}
	}
	if ((cfg->namespaces & CLONE_NEWNET) && ctr_netns_loopback_up(&err) < 0)
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	if (cfg->tty) { /* on the container's own devpts, after the pivot */
		struct ctr_child_msg tm = { .type = MSG_TTY };
		int master = ctr_tty_create(&err);

		if (master < 0)
			ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
		rc = ctr_send_with_fd(c->sock, &tm, sizeof(tm), master);
		close(master);
		if (rc < 0) {
			isolab_error_errno(&err, rc, "-t: pass the terminal to the runtime");
			ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
		}
	}
	if (early)
		wait_go(c);
	for (size_t i = 0; i < cfg->n_rlimits; i++) {
		struct rlimit rl = { cfg->rlimits[i].soft, cfg->rlimits[i].hard };

		if (setrlimit(cfg->rlimits[i].resource, &rl) < 0) {
			isolab_error_errno(&err, -errno, "setrlimit %d", cfg->rlimits[i].resource);
			ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
		}
	}
	/* Without no_new_privs the filter needs CAP_SYS_ADMIN: load it while
	 * we have it (runc does the same); else last, just before exec. */
	if (cfg->seccomp != NULL && !cfg->no_new_privs &&
	    ctr_seccomp_load(cfg->seccomp, &err) < 0)
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	if (ctr_caps_drop_bounding(&cfg->caps, &err) < 0 || set_user(cfg, &err) < 0 ||
	    ctr_caps_apply(&cfg->caps, &err) < 0)
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	if (cfg->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		isolab_error_errno(&err, -errno, "PR_SET_NO_NEW_PRIVS");
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	}
	if (chdir(cfg->cwd ? cfg->cwd : "/") < 0) {
		isolab_error_errno(&err, -errno, "working directory `%s`", cfg->cwd);
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	}
	if (cfg->seccomp != NULL && cfg->no_new_privs &&
	    ctr_seccomp_load(cfg->seccomp, &err) < 0)
		ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
	if (cfg->init)
		run_init(c);
	times.times[2] = isolab_since_start_ns();
	ctr_child_send(c->sock, &times);
	/* Through the helper, never from this (the host's) binary; on success
	 * the socket closes with the program's exec: EOF = running. */
	rc = ctr_exec_via_helper(c->helper_memfd, c->sock, cfg->argv, cfg->env);
	isolab_error_errno(&err, rc, "exec the runtime's exec helper");
	ctr_child_fail(c->sock, CTR_EXIT_RUNTIME, &err);
}

/* ---- parent ---- */

static volatile pid_t forward_pid;

static void forward_signal(int sig)
{
	if (forward_pid > 0)
		kill(forward_pid, sig);
}

static int write_idmap(pid_t pid, const char *file, const struct ctr_idmap *map, size_t n,
		       struct isolab_error *err)
{
	char path[64], buf[256];
	size_t len = 0;
	int fd;

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", map[i].inside,
					map[i].outside, map[i].count);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "open `%s`", path);
	if (write(fd, buf, len) != (ssize_t)len) {
		int e = -errno;

		close(fd);
		return isolab_error_errno(err, e, "write %s `%.*s`", file, (int)len - 1, buf);
	}
	close(fd);
	return 0;
}

static pid_t clone_child(int flags, int cgroup_fd, int *pidfd)
{
	struct clone_args args;
	long pid;

	memset(&args, 0, sizeof(args));
	args.flags = (uint64_t)flags | CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	pid = syscall(SYS_clone3, &args, sizeof(args));
	return (pid_t)pid;
}

/* Waits for the child; samples memory.current when memory.peak is absent. */
static int wait_child(pid_t pid, int pidfd, struct ctr_cgroup *cg, bool sample)
{
	int wstatus;

	if (sample && pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		for (;;) {
			ctr_cgroup_sample(cg);
			if (poll(&p, 1, 10) > 0)
				break;
		}
	}
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return wstatus;
}

int ctr_run(struct ctr_config *cfg, int *status, struct ctr_stats *stats,
	    struct isolab_error *err)
{
	const int *fwd = ctr_forwarded_signals;
	struct ctr_cgroup cg = { .dirfd = -1 };
	struct ctr_tty tty = { .master = -1 };
	struct ctr_cgroup_stats cgs;
	struct ctr_state state;
	struct child_ctx ctx;
	struct ctr_child_msg msg;
	struct isolab_error child_err = { 0 };
	int sv[2] = { -1, -1 }, pidfd = -1, helper_memfd = -1, flags, rc, child_status = -1;
	bool owner_ok = false, cg_ok = false, state_ok = false, into_cgroup;
	pid_t pid = -1;

	*status = CTR_EXIT_RUNTIME;
	stats->id = cfg->id;
	stats->memory_limit = cfg->memory_limit;
	stats->phase_ns[CTR_PHASE_START] = isolab_since_start_ns();

	rc = ctr_cgroup_detect(&cg.mode, err);
	if (rc < 0)
		return rc;
	stats->cgroup_mode = ctr_cgroup_mode_name(cg.mode);
	rc = ctr_rootfs_resolve_layers(cfg, err);
	if (rc == 0)
		rc = ctr_seccomp_prepare(cfg, err);
	if (rc < 0)
		return rc;
	/* The owner record first: it reserves the id, and a later run sweeps
	 * what follows if this process is killed (owner.h). */
	rc = ctr_owner_claim(cfg->id, ctr_cgroup_parent(cfg), err);
	if (rc < 0)
		return rc;
	owner_ok = true;
	rc = ctr_cgroup_create(&cg, cfg, err);
	if (rc < 0) {
		ctr_owner_release(cfg->id, NULL); /* nothing else was made */
		return rc;
	}
	cg_ok = true;
	rc = ctr_devices_apply(&cg, cfg, err);
	if (rc < 0)
		goto out;
	stats->phase_ns[CTR_PHASE_CGROUP] = isolab_since_start_ns();
	/* The writable layer lives in the child's mount namespace unless it
	 * must outlive the child (--keep-layer) or be owned by the user
	 * namespace's root (--userns: made by real root, then chowned). */
	rc = ctr_state_create(&state, cfg,
			      cfg->keep_layer != NULL || (cfg->namespaces & CLONE_NEWUSER), err);
	if (rc < 0)
		goto out;
	state_ok = true;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = isolab_error_errno(err, -errno, "socketpair");
		goto out;
	}

	helper_memfd = ctr_helper_memfd(err);
	if (helper_memfd < 0) {
		rc = helper_memfd;
		goto out;
	}
	ctx = (struct child_ctx){ .cfg = cfg, .state = &state, .cgmode = cg.mode, .sock = sv[1],
				  .helper_memfd = helper_memfd };
	flags = cfg->namespaces;
	into_cgroup = cg.mode == CTR_CGROUP_V2 && cg.dirfd >= 0;
	if (!into_cgroup && (flags & CLONE_NEWCGROUP)) {
		flags &= ~CLONE_NEWCGROUP; /* the child unshares it once attached */
		ctx.unshare_cgroupns = true;
	}
	fflush(NULL);
	pid = clone_child(flags, into_cgroup ? cg.dirfd : -1, &pidfd);
	if (pid < 0 && into_cgroup && (errno == EINVAL || errno == E2BIG || errno == ENOSYS)) {
		/* Pre-5.7 kernel: clone, then move the child. */
		into_cgroup = false;
		if (flags & CLONE_NEWCGROUP) {
			flags &= ~CLONE_NEWCGROUP;
			ctx.unshare_cgroupns = true;
		}
		pid = clone_child(flags, -1, &pidfd);
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(&ctx);
	}
	if (pid < 0) {
		rc = isolab_error_errno(err, -errno, "clone3 into new namespaces");
		goto out;
	}
	stats->phase_ns[CTR_PHASE_CLONE] = isolab_since_start_ns();
	close(sv[1]);
	sv[1] = -1;
	forward_pid = pid;
	for (size_t i = 0; i < CTR_N_FORWARDED; i++) {
		struct sigaction sa = { .sa_handler = forward_signal };

		sigemptyset(&sa.sa_mask);
		sigaction(fwd[i], &sa, NULL);
	}

	rc = 0;
	if (!into_cgroup)
		rc = ctr_cgroup_attach(&cg, pid, err);
	if (rc == 0 && (cfg->namespaces & CLONE_NEWUSER)) {
		rc = write_idmap(pid, "uid_map", cfg->uid_map, cfg->n_uid_map, err);
		if (rc == 0)
			rc = write_idmap(pid, "gid_map", cfg->gid_map, cfg->n_gid_map, err);
	}
	/* EPIPE here means the child already failed: its message says why. */
	if (rc == 0 && send(sv[0], "G", 1, MSG_NOSIGNAL) != 1 && errno != EPIPE)
		rc = isolab_error_errno(err, -errno, "start the container");
	if (rc < 0)
		kill(pid, SIGKILL);
	/* Timestamps, then EOF (exec happened) or an error message. */
	for (;;) {
		int fd;
		ssize_t n = ctr_recv_with_fd(sv[0], &msg, sizeof(msg), &fd);

		if (fd >= 0 && (n != (ssize_t)sizeof(msg) || msg.type != MSG_TTY))
			close(fd);
		if (n != (ssize_t)sizeof(msg))
			break;
		if (msg.type == MSG_TTY && fd >= 0)
			ctr_tty_adopt(&tty, fd);
		if (msg.type == MSG_TIMES) {
			stats->phase_ns[CTR_PHASE_MOUNTS] = msg.times[0];
			stats->phase_ns[CTR_PHASE_PIVOT] = msg.times[1];
			stats->phase_ns[CTR_PHASE_EXEC] = msg.times[2];
			stats->phase_ns[CTR_PHASE_CLONE] = msg.times[3];
		} else if (msg.type == MSG_ERROR) {
			child_err.code = -1;
			child_status = msg.status;
			msg.text[sizeof(msg.text) - 1] = '\0';
			snprintf(child_err.msg, sizeof(child_err.msg), "%s", msg.text);
		}
	}
	close(sv[0]);
	sv[0] = -1;
	if (rc < 0 && child_err.code == 0) { /* the parent's own failure */
		wait_child(pid, -1, &cg, false);
		pid = -1;
		goto out;
	}
	rc = 0;
	if (tty.master >= 0 && child_err.code == 0)
		rc = ctr_tty_relay(&tty, pidfd, err);
	ctr_tty_close(&tty);
	{
		int ws = wait_child(pid, pidfd, &cg, cg.mode == CTR_CGROUP_V2 && !cg.has_peak &&
							      child_err.code == 0);

		pid = -1;
		stats->phase_ns[CTR_PHASE_EXIT] = isolab_since_start_ns();
		if (ws < 0) {
			rc = isolab_error_errno(err, ws, "wait for the container");
			goto out;
		}
		*status = ctr_exit_status(ws);
	}
	for (size_t i = 0; i < CTR_N_FORWARDED; i++)
		signal(fwd[i], SIG_DFL);
	forward_pid = 0;
	ctr_cgroup_read_stats(&cg, &cgs);
	stats->memory_peak = cgs.memory_peak;
	stats->memory_peak_source = cgs.peak_source;
	stats->oom_killed = cgs.oom_killed;
	stats->oom_kills = cgs.oom_kills;
	if (child_err.code != 0) {
		*status = child_status;
		rc = isolab_error_set(err, -EINVAL, "%s", child_err.msg);
		goto out;
	}
	if (cfg->keep_layer != NULL)
		rc = ctr_keep_layer_copy(state.upper, cfg->keep_layer, cfg->keep_devices,
					 &stats->kept, err);
out:
	if (pidfd >= 0)
		close(pidfd);
	if (helper_memfd >= 0)
		close(helper_memfd);
	ctr_tty_close(&tty);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		wait_child(pid, -1, &cg, false);
	}
	{
		struct isolab_error cleanup_err = { 0 };
		int crc = 0;

		if (state_ok)
			crc = ctr_state_destroy(&state, &cleanup_err);
		if (cg_ok && ctr_cgroup_destroy(&cg, crc < 0 ? NULL : &cleanup_err) < 0 && crc == 0)
			crc = cleanup_err.code;
		/* Last, and only once the rest is gone: what stays is left to
		 * the next run's sweep. */
		if (owner_ok && crc == 0)
			crc = ctr_owner_release(cfg->id, &cleanup_err);
		if (crc < 0 && rc == 0) {
			*err = cleanup_err;
			rc = crc;
			*status = CTR_EXIT_RUNTIME;
		}
	}
	stats->phase_ns[CTR_PHASE_CLEANUP] = isolab_since_start_ns();
	if (rc < 0 && *status < CTR_EXIT_RUNTIME)
		*status = CTR_EXIT_RUNTIME;
	return rc;
}
