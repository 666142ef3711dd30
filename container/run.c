/* run.c: a container's phases in the runtime, prepare to delete (see run.h). */
#include "container/run.h"
#include "common/cleanup.h"
#include "common/timing.h"
#include "container/child.h"
#include "container/child_msg.h"
#include "container/devices.h"
#include "container/fds.h"
#include "container/hooks.h"
#include "container/init_exec.h"
#include "container/keep_layer.h"
#include "container/netns.h"
#include "container/owner.h"
#include "container/state.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t forward_pid;

static void forward_signal(int sig)
{
	if (forward_pid > 0)
		kill(forward_pid, sig);
}

/* See run.h. */
void ctr_forward_signals_to(pid_t pid)
{
	forward_pid = pid;
	for (size_t i = 0; i < CTR_N_FORWARDED; i++) {
		struct sigaction sa = { .sa_handler = pid > 0 ? forward_signal : SIG_DFL };

		sigemptyset(&sa.sa_mask);
		sigaction(ctr_forwarded_signals[i], &sa, NULL);
	}
}

void ctr_container_init(struct ctr_container *c, const struct ctr_config *cfg,
			const char *state_root, struct ctr_stats *stats)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->state_root = state_root;
	c->stats = stats;
	c->cg.dirfd = c->helper_memfd = c->sock = c->pidfd = c->exec_fifo = -1;
	c->tty.master = -1;
	c->pid = -1;
	stats->id = cfg->id;
	stats->memory_limit = cfg->memory_limit;
}

/* ---- prepare ---- */

/* Detached: <state dir>/exec.fifo, writable by anyone (the container's
 * user opens it, state.h), and an O_PATH fd of it for the child. */
static int make_exec_fifo(struct ctr_container *c, struct isolab_error *err)
{
	char path[PATH_MAX];

	if (ctr_saved_path(path, sizeof(path), c->state_root, c->cfg->id, CTR_EXEC_FIFO) < 0)
		return isolab_error_set(err, -ENAMETOOLONG, "exec.fifo of `%s`: path too long",
					c->cfg->id);
	if (mkfifo(path, 0622) < 0 || chmod(path, 0622) < 0)
		return isolab_error_errno(err, -errno, "create `%s`", path);
	c->exec_fifo = open(path, O_PATH | O_CLOEXEC);
	if (c->exec_fifo < 0)
		return isolab_error_errno(err, -errno, "open `%s`", path);
	return 0;
}

int ctr_container_prepare(struct ctr_container *c, struct isolab_error *err)
{
	const struct ctr_config *cfg = c->cfg;
	int rc;

	rc = ctr_cgroup_detect(&c->cg.mode, err);
	if (rc < 0)
		return rc;
	c->stats->cgroup_mode = ctr_cgroup_mode_name(c->cg.mode);
	rc = ctr_cgroup_locate(&c->cg, cfg, err);
	if (rc < 0)
		return rc;
	/* The owner record first: it reserves the id, and a later run sweeps
	 * what follows if this process is killed (owner.h). */
	rc = ctr_owner_claim(c->state_root, cfg->id, c->cg.rel, err);
	if (rc < 0)
		return rc;
	c->owner_id = cfg->id;
	rc = ctr_cgroup_create(&c->cg, cfg, err);
	if (rc == 0)
		rc = ctr_devices_apply(&c->cg, cfg, err);
	if (rc < 0)
		return rc;
	c->stats->phase_ns[CTR_PHASE_CGROUP] = isolab_since_start_ns();
	/* The writable layer lives in the child's mount namespace unless it
	 * must outlive the child (--keep-layer) or be owned by the user
	 * namespace's root (--userns: made by real root, then chowned). */
	rc = ctr_state_create(&c->state, cfg, c->state_root,
			      cfg->keep_layer != NULL || (cfg->namespaces & CLONE_NEWUSER) ||
				      c->detached,
			      err);
	if (rc < 0)
		return rc;
	if (c->detached) {
		rc = make_exec_fifo(c, err);
		if (rc < 0)
			return rc;
	}
	c->helper_memfd = ctr_helper_memfd(err);
	return c->helper_memfd < 0 ? c->helper_memfd : 0;
}

/* ---- create ---- */

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

/* The child in every namespace, directly in its cgroup on v2
 * (CLONE_INTO_CGROUP, Linux 5.7; before that it is moved in once it
 * runs), with sv[1], the child's end of the sync socket. Returns its pid
 * in the parent, -1 with errno on failure; never returns in the child. */
static pid_t clone_into_namespaces(struct ctr_container *c, const int sv[2], int *pidfd,
				   bool *into_cgroup)
{
	struct ctr_child_ctx ctx = { .cfg = c->cfg, .state = &c->state, .cgmode = c->cg.mode,
				     .sock = sv[1], .helper_memfd = c->helper_memfd,
				     .detached = c->detached, .exec_fifo = c->exec_fifo };
	int flags = c->cfg->namespaces;
	pid_t pid;

	*into_cgroup = c->cg.mode == CTR_CGROUP_V2 && c->cg.dirfd >= 0;
	if (!*into_cgroup && (flags & CLONE_NEWCGROUP)) {
		flags &= ~CLONE_NEWCGROUP; /* the child unshares it once attached */
		ctx.unshare_cgroupns = true;
	}
	fflush(NULL);
	pid = clone_child(flags, *into_cgroup ? c->cg.dirfd : -1, pidfd);
	if (pid < 0 && *into_cgroup && (errno == EINVAL || errno == E2BIG || errno == ENOSYS)) {
		*into_cgroup = false; /* pre-5.7 kernel: clone, then move the child */
		if (flags & CLONE_NEWCGROUP) {
			flags &= ~CLONE_NEWCGROUP;
			ctx.unshare_cgroupns = true;
		}
		pid = clone_child(flags, -1, pidfd);
	}
	if (pid == 0) {
		close(sv[0]);
		ctr_child_main(&ctx);
	}
	return pid;
}

static int write_idmap(pid_t pid, const char *file, const struct ctr_idmap *map, size_t n,
		       struct isolab_error *err)
{
	_cleanup_close_ int fd = -1;
	char path[64], buf[256];
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", map[i].inside,
					map[i].outside, map[i].count);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "open `%s`", path);
	if (write(fd, buf, len) != (ssize_t)len)
		return isolab_error_errno(err, -errno, "write %s `%.*s`", file, (int)len - 1, buf);
	return 0;
}

char *ctr_container_hook_state(const struct ctr_container *c, const char *status)
{
	const struct ctr_config *cfg = c->cfg;
	struct ctr_saved s;
	char *text, *with_status;

	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "%s", cfg->id);
	s.pid = c->pid > 0 ? c->pid : 0;
	snprintf(s.bundle, sizeof(s.bundle), "%s", c->bundle ? c->bundle : cfg->bundle ? cfg->bundle : "");
	snprintf(s.rootfs, sizeof(s.rootfs), "%s", cfg->n_layers ? cfg->layers[cfg->n_layers - 1] : "");
	isolab_now_rfc3339(s.created, sizeof(s.created));
	s.annotations = (cJSON *)c->annotations; /* borrowed */
	text = ctr_saved_oci_state(&s, CTR_STATUS_CREATED, "", false);
	if (text == NULL)
		return NULL;
	with_status = ctr_hook_state(text, status);
	free(text);
	return with_status;
}

/* MSG_HOOKS: the prestart and createRuntime hooks, then the ack with the
 * state for the child's own hooks; a failure is the child's report (the
 * child, left without its ack, is killed). */
static void run_create_hooks(struct ctr_container *c)
{
	_cleanup_free_ char *state = ctr_container_hook_state(c, "creating");
	size_t len = state != NULL ? strlen(state) : 0;

	if (state == NULL || len + 1 >= CTR_HOOKS_STATE_MAX) {
		isolab_error_set(&c->report, state == NULL ? -ENOMEM : -E2BIG,
				 "hooks: the state for the hooks: %s",
				 state == NULL ? "out of memory" : "too large");
	} else if (ctr_hooks_run(c->cfg, CTR_HOOK_PRESTART, state, &c->report) == 0 &&
		   ctr_hooks_run(c->cfg, CTR_HOOK_CREATE_RUNTIME, state, &c->report) == 0) {
		char ack = CTR_HOOKS_ACK;
		struct iovec iov[2] = { { &ack, 1 }, { state, len } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

		/* one datagram: the ack, then the state */
		if (sendmsg(c->sock, &m, MSG_NOSIGNAL) == (ssize_t)(len + 1))
			return;
		isolab_error_errno(&c->report, -errno, "hooks: answer the container");
	}
	c->report_status = CTR_EXIT_RUNTIME;
	kill(c->pid, SIGKILL);
}

/* Reads the child's messages until EOF (its program runs, or it died):
 * phase times, the pty master, or the error that stopped it. */
static void read_reports(struct ctr_container *c)
{
	struct ctr_stats *stats = c->stats;
	struct ctr_child_msg msg;

	for (;;) {
		int fd;
		ssize_t n = ctr_recv_with_fd(c->sock, &msg, sizeof(msg), &fd);

		if (fd >= 0 && (n != (ssize_t)sizeof(msg) || msg.type != MSG_TTY))
			close(fd);
		if (n != (ssize_t)sizeof(msg))
			break;
		if (msg.type == MSG_CREATED) {
			c->created = true;
			return; /* the socket stays: ctr_container_detach */
		}
		if (msg.type == MSG_HOOKS)
			run_create_hooks(c);
		if (msg.type == MSG_TTY && fd >= 0)
			ctr_tty_adopt(&c->tty, fd);
		if (msg.type == MSG_TIMES) {
			stats->phase_ns[CTR_PHASE_MOUNTS] = msg.times[0];
			stats->phase_ns[CTR_PHASE_PIVOT] = msg.times[1];
			stats->phase_ns[CTR_PHASE_EXEC] = msg.times[2];
			stats->phase_ns[CTR_PHASE_CLONE] = msg.times[3];
		} else if (msg.type == MSG_ERROR && c->report.code == 0) {
			c->report_status = msg.status;
			ctr_child_msg_to_error(&msg, &c->report);
		}
	}
	close(c->sock);
	c->sock = -1;
}

/* A failure of the runtime's once the child exists: the child goes, and
 * what it said (it may have failed first) is kept for the wait. */
static int abort_child(struct ctr_container *c, int rc)
{
	kill(c->pid, SIGKILL);
	read_reports(c);
	return rc;
}

int ctr_container_create(struct ctr_container *c, struct isolab_error *err)
{
	const struct ctr_config *cfg = c->cfg;
	_cleanup_close_ int runtime_end = -1, child_end = -1, pidfd = -1;
	int sv[2], rc = 0;
	bool into_cgroup;
	pid_t pid;

	/* --netns: the runtime joins it, the container inherits it */
	if (cfg->netns_path != NULL) {
		bool net_sysctl = false;

		for (size_t i = 0; i < cfg->n_sysctls; i++)
			net_sysctl |= strncmp(cfg->sysctls[i].key, "net.", 4) == 0;
		if (ctr_netns_join(cfg->netns_path, net_sysctl, err) < 0)
			return err->code;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return isolab_error_errno(err, -errno, "socketpair");
	runtime_end = sv[0];
	child_end = sv[1];
	pid = clone_into_namespaces(c, sv, &pidfd, &into_cgroup);
	if (pid < 0)
		return isolab_error_errno(err, -errno, "clone3 into new namespaces");
	c->stats->phase_ns[CTR_PHASE_CLONE] = isolab_since_start_ns();
	c->pid = pid;
	c->pidfd = isolab_take_fd(&pidfd);
	c->sock = isolab_take_fd(&runtime_end);
	close(isolab_take_fd(&child_end)); /* EOF on c->sock once the child is done */
	if (!c->detached)
		ctr_forward_signals_to(pid);
	if (!into_cgroup)
		rc = ctr_cgroup_attach(&c->cg, pid, err);
	if (rc == 0 && (cfg->namespaces & CLONE_NEWUSER)) {
		rc = write_idmap(pid, "uid_map", cfg->uid_map, cfg->n_uid_map, err);
		if (rc == 0)
			rc = write_idmap(pid, "gid_map", cfg->gid_map, cfg->n_gid_map, err);
	}
	return rc < 0 ? abort_child(c, rc) : 0;
}

/* ---- start ---- */

int ctr_container_start(struct ctr_container *c, struct isolab_error *err)
{
	/* EPIPE here means the child already failed: its report says why. */
	if (send(c->sock, "G", 1, MSG_NOSIGNAL) != 1 && errno != EPIPE)
		return abort_child(c, isolab_error_errno(err, -errno, "start the container"));
	/* Timestamps, then EOF (exec happened) or an error report. */
	read_reports(c);
	return 0;
}

/* ---- wait ---- */

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

int ctr_container_wait(struct ctr_container *c, int *status, struct isolab_error *err)
{
	struct ctr_stats *stats = c->stats;
	bool running = c->report.code == 0; /* its program ran */
	struct ctr_cgroup_stats cgs;
	int rc = 0, ws;

	if (c->tty.master >= 0 && running)
		rc = ctr_tty_relay(&c->tty, c->pidfd, err);
	ctr_tty_close(&c->tty);
	ws = wait_child(c->pid, c->pidfd, &c->cg,
			c->cg.mode == CTR_CGROUP_V2 && !c->cg.has_peak && running);
	c->pid = -1;
	stats->phase_ns[CTR_PHASE_EXIT] = isolab_since_start_ns();
	if (ws < 0)
		return isolab_error_errno(err, ws, "wait for the container");
	*status = ctr_exit_status(ws);
	ctr_forward_signals_to(0);
	ctr_cgroup_read_stats(&c->cg, &cgs);
	stats->memory_peak = cgs.memory_peak;
	stats->memory_peak_source = cgs.peak_source;
	stats->oom_killed = cgs.oom_killed;
	stats->oom_kills = cgs.oom_kills;
	if (!running) {
		*status = c->report_status;
		*err = c->report;
		return c->report.code;
	}
	return rc;
}

/* The signal forwarding ended and every descriptor c holds closed (the
 * terminal restored): what both detach and delete do first. */
static void release_fds(struct ctr_container *c)
{
	if (forward_pid != 0) /* the wait did not end the forwarding */
		ctr_forward_signals_to(0);
	if (c->pidfd >= 0)
		close(isolab_take_fd(&c->pidfd));
	if (c->helper_memfd >= 0)
		close(isolab_take_fd(&c->helper_memfd));
	if (c->sock >= 0)
		close(isolab_take_fd(&c->sock));
	if (c->exec_fifo >= 0)
		close(isolab_take_fd(&c->exec_fifo));
	ctr_tty_close(&c->tty);
}

/* ---- detach (create) and load (a later command) ---- */

void ctr_container_detach(struct ctr_container *c)
{
	/* The child drops PR_SET_PDEATHSIG, says so, and waits on exec.fifo;
	 * this process must not end before it said so (child.h). */
	if (c->sock >= 0 && send(c->sock, "D", 1, MSG_NOSIGNAL) == 1) {
		char ack[8];

		while (recv(c->sock, ack, sizeof(ack), 0) < 0 && errno == EINTR)
			;
	}
	release_fds(c);
	if (c->cg.dirfd >= 0)
		close(isolab_take_fd(&c->cg.dirfd));
	memset(c->cg.created, 0, sizeof(c->cg.created));
	c->state.made_dir = c->state.mounted_tmpfs = c->state.mounted_overlay = false;
	c->owner_id = NULL;
	c->pid = -1;
}

int ctr_container_load(struct ctr_container *c, const struct ctr_saved *saved,
		       const char *state_root, struct isolab_error *err)
{
	struct stat st;
	int rc;

	c->state_root = state_root;
	c->owner_id = saved->id;
	rc = ctr_cgroup_reopen(&c->cg, saved->cgmode, saved->cgroup_path, saved->id, err);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	if (snprintf(c->state.dir, sizeof(c->state.dir), "%s/%s", state_root, saved->id) >=
	    (int)sizeof(c->state.dir))
		return isolab_error_set(err, -ENAMETOOLONG, "state dir for `%s`: too long", saved->id);
	c->state.made_dir = stat(c->state.dir, &st) == 0;
	c->state.mounted_tmpfs = c->state.made_dir;
	return 0;
}

/* ---- delete ---- */

int ctr_container_delete(struct ctr_container *c, struct isolab_error *err)
{
	int rc;

	release_fds(c);
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		wait_child(c->pid, -1, &c->cg, false);
		c->pid = -1;
	}
	rc = ctr_state_destroy(&c->state, err);
	if (ctr_cgroup_destroy(&c->cg, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = err->code;
	/* Last, and only once the rest is gone: what stays is left to the
	 * next run's sweep. */
	if (c->owner_id != NULL && rc == 0)
		rc = ctr_owner_release(c->state_root, c->owner_id, err);
	c->owner_id = NULL;
	return rc;
}

/* poststart, poststop: a failure is a warning (stats->hook_warning). */
static void run_hooks_warn(struct ctr_container *c, enum ctr_hook_kind kind, const char *status)
{
	_cleanup_free_ char *state = ctr_container_hook_state(c, status);
	struct isolab_error herr = { 0 };

	if (ctr_hooks_run(c->cfg, kind, state, &herr) < 0 && c->stats->hook_warning[0] == '\0')
		snprintf(c->stats->hook_warning, sizeof(c->stats->hook_warning), "%s", herr.msg);
}

int ctr_run(const struct ctr_config *cfg, const char *state_root, int *status,
	    struct ctr_stats *stats, struct isolab_error *err)
{
	struct isolab_error cleanup_err = { 0 };
	struct ctr_container c;
	bool made;
	int rc, crc;

	*status = CTR_EXIT_RUNTIME;
	ctr_container_init(&c, cfg, state_root, stats);
	rc = ctr_container_prepare(&c, err);
	if (rc == 0)
		rc = ctr_container_create(&c, err);
	made = rc == 0;
	if (rc == 0)
		rc = ctr_container_start(&c, err);
	/* A child that reported its own failure is waited for like a finished
	 * container; its report is the error (it explains a failed create). */
	if (rc == 0 && c.report.code == 0 && cfg->n_hooks[CTR_HOOK_POSTSTART] > 0)
		run_hooks_warn(&c, CTR_HOOK_POSTSTART, "running");
	if (rc == 0 || c.report.code != 0)
		rc = ctr_container_wait(&c, status, err);
	if (rc == 0 && cfg->keep_layer != NULL)
		rc = ctr_keep_layer_copy(c.state.upper, cfg->keep_layer, cfg->keep_devices,
					 &stats->kept, err);
	crc = ctr_container_delete(&c, &cleanup_err);
	if (cfg->n_hooks[CTR_HOOK_POSTSTOP] > 0 && made)
		run_hooks_warn(&c, CTR_HOOK_POSTSTOP, "stopped");
	if (crc < 0 && rc == 0) {
		*err = cleanup_err;
		rc = crc;
		*status = CTR_EXIT_RUNTIME;
	}
	stats->phase_ns[CTR_PHASE_CLEANUP] = isolab_since_start_ns();
	if (rc < 0 && *status < CTR_EXIT_RUNTIME)
		*status = CTR_EXIT_RUNTIME;
	return rc;
}
