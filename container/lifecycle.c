/* lifecycle.c: create, start, kill, delete, pause across processes (see lifecycle.h). */
#include "container/lifecycle.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/safe_open.h"
#include "common/timing.h"
#include "container/fds.h"
#include "container/hooks.h"
#include "container/owner.h"
#include "container/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- create ---- */

/* --console-socket: the pty master, as runc's utils.SendFd (SCM_RIGHTS,
 * the name as the data). */
int ctr_console_send(const char *path, int master, struct isolab_error *err)
{
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	static const char name[] = "/dev/ptmx";
	int rc;

	if (sock < 0)
		return isolab_error_errno(err, -errno, "console socket: socket");
	if (strlen(path) >= sizeof(addr.sun_path))
		return isolab_error_set(err, -ENAMETOOLONG, "--console-socket `%s`: path too long",
					path);
	strcpy(addr.sun_path, path);
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return isolab_error_errno(err, -errno, "--console-socket `%s`: connect", path);
	rc = ctr_send_with_fd(sock, name, sizeof(name) - 1, master);
	if (rc < 0)
		return isolab_error_errno(err, rc, "--console-socket `%s`: send the terminal", path);
	return 0;
}

int ctr_pid_file_write(const char *path, int pid, struct isolab_error *err)
{
	char text[24];

	snprintf(text, sizeof(text), "%d", pid);
	if (isolab_text_replace(path, text, false, err) < 0)
		return isolab_error_wrap(err, "--pid-file");
	return 0;
}

/* state.json for the child c just created. */
static int save_state(const struct ctr_container *c, const struct ctr_owner *owner,
		      const struct ctr_create_opts *o, struct isolab_error *err)
{
	const struct ctr_config *cfg = c->cfg;
	struct ctr_saved s;

	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "%s", cfg->id);
	s.pid = c->pid;
	s.start = owner->start;
	s.pidns = owner->pidns;
	snprintf(s.bundle, sizeof(s.bundle), "%s", o->bundle ? o->bundle : "");
	snprintf(s.rootfs, sizeof(s.rootfs), "%s", cfg->n_layers ? cfg->layers[cfg->n_layers - 1] : "");
	isolab_now_rfc3339(s.created, sizeof(s.created));
	snprintf(s.cgroup_path, sizeof(s.cgroup_path), "%s", owner->cgroup_path);
	s.cgmode = c->cg.mode;
	s.annotations = (cJSON *)o->annotations; /* borrowed: not freed here */
	return ctr_saved_write(c->state_root, &s, err);
}

/* The hooks for `start` (poststart) and `delete` (poststop), hooks.h. */
static int save_hooks(const char *root, const struct ctr_config *cfg, struct isolab_error *err)
{
	char path[PATH_MAX];

	if (ctr_saved_path(path, sizeof(path), root, cfg->id, CTR_HOOKS_FILE) < 0)
		return isolab_error_set(err, -ENAMETOOLONG, "%s of `%s`: path too long",
					CTR_HOOKS_FILE, cfg->id);
	return isolab_text_replace(path, cfg->hooks_json, false, err);
}

/* Runs the saved hooks of one kind (none saved: nothing); a failure goes
 * into warning. */
static char *read_hooks(const char *root, const char *id)
{
	struct isolab_error ignored = { 0 };
	char path[PATH_MAX], *text = NULL;
	size_t len;

	if (ctr_saved_path(path, sizeof(path), root, id, CTR_HOOKS_FILE) < 0 ||
	    isolab_read_regular(path, 1 << 20, &text, &len, &ignored) < 0)
		return NULL; /* none saved */
	return text;
}

static void run_saved_hooks(const char *root, const struct ctr_saved *s, enum ctr_status status,
			    enum ctr_hook_kind kind, struct isolab_error *warning)
{
	_cleanup_free_ char *text = read_hooks(root, s->id), *state = NULL;
	struct ctr_config cfg;

	if (text == NULL)
		return;
	ctr_config_init(&cfg);
	if (ctr_hooks_from_text(text, &cfg, warning) == 0 && cfg.n_hooks[kind] > 0) {
		state = ctr_saved_oci_state(s, status, "", false);
		ctr_hooks_run(&cfg, kind, state, warning);
	}
	ctr_config_free(&cfg);
}

int ctr_lifecycle_create(const struct ctr_config *cfg, const char *root,
			 const struct ctr_create_opts *o, struct isolab_error *err)
{
	struct isolab_error cleanup_err = { 0 };
	struct ctr_stats stats = { 0 };
	struct ctr_container c;
	struct ctr_owner owner;
	int rc;

	if (cfg->tty && o->console_socket == NULL)
		return isolab_error_set(err, -EINVAL,
					"cannot allocate tty if isolab-ctr will detach without setting console socket");
	ctr_container_init(&c, cfg, root, &stats);
	c.detached = true;
	c.bundle = o->bundle;
	c.annotations = o->annotations;
	rc = ctr_container_prepare(&c, err);
	if (rc == 0)
		rc = ctr_container_create(&c, err);
	if (rc == 0)
		rc = ctr_container_start(&c, err);
	if (rc == 0 && c.report.code != 0)
		*err = c.report, rc = c.report.code;
	if (rc == 0 && !c.created)
		rc = isolab_error_set(err, -ECHILD, "container `%s`: its process ended while it was set up",
				      cfg->id);
	if (rc == 0 && cfg->tty)
		rc = ctr_console_send(o->console_socket, c.tty.master, err);
	if (rc == 0)
		rc = ctr_owner_transfer(root, cfg->id, c.pid, c.cg.rel, &owner, err);
	if (rc == 0)
		rc = save_state(&c, &owner, o, err);
	if (rc == 0 && cfg->hooks_json != NULL)
		rc = save_hooks(root, cfg, err);
	if (rc == 0 && o->pid_file != NULL)
		rc = ctr_pid_file_write(o->pid_file, c.pid, err);
	if (rc == 0) {
		ctr_container_detach(&c);
		return 0;
	}
	ctr_container_delete(&c, &cleanup_err);
	return rc;
}

/* ---- the others ---- */

int ctr_lifecycle_lookup(const char *root, const char *id, struct ctr_saved *saved,
			 enum ctr_status *status, struct isolab_error *err)
{
	int rc = ctr_saved_read(root, id, saved, err);

	if (rc < 0)
		return rc;
	*status = ctr_saved_status(root, saved);
	return 0;
}

/* Waits until fd is readable or the process behind pidfd ends. */
static int wait_fifo_or_exit(int fd, int pidfd)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };

	for (;;) {
		if (poll(p, pidfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].revents & (POLLIN | POLLHUP))
			return 0;
		if (p[1].revents)
			return -ESRCH;
	}
}

/* Opens exec.fifo and reads the child's byte: its program runs. */
static int start_saved(const char *root, const struct ctr_saved *saved, struct isolab_error *err)
{
	_cleanup_close_ int fd = -1, pidfd = -1;
	const char *id = saved->id;
	char path[PATH_MAX], byte = 0;
	ssize_t n;
	int rc;

	ctr_saved_path(path, sizeof(path), root, id, CTR_EXEC_FIFO);
	/* O_NONBLOCK: the open never waits; the child's blocked open for
	 * writing then completes, and it writes its byte. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "container `%s`: open `%s`", id, path);
	pidfd = (int)syscall(SYS_pidfd_open, saved->pid, 0);
	rc = wait_fifo_or_exit(fd, pidfd);
	if (rc == 0) {
		n = read(fd, &byte, 1);
		if (n != 1)
			rc = n < 0 ? -errno : -ESRCH;
	}
	if (rc == -ESRCH)
		return isolab_error_set(err, rc, "container `%s`: its process ended before it started",
					id);
	if (rc < 0)
		return isolab_error_errno(err, rc, "container `%s`: read `%s`", id, path);
	/* Its absence says "started" (state.h). */
	if (unlink(path) < 0 && errno != ENOENT)
		return isolab_error_errno(err, -errno, "container `%s`: remove `%s`", id, path);
	return 0;
}

int ctr_lifecycle_start(const char *root, const char *id, struct isolab_error *warning,
			struct isolab_error *err)
{
	enum ctr_status status;
	struct ctr_saved s;
	int rc;

	rc = ctr_lifecycle_lookup(root, id, &s, &status, err);
	if (rc < 0)
		return rc;
	if (status != CTR_STATUS_CREATED)
		ctr_saved_free(&s);
	if (status == CTR_STATUS_STOPPED)
		return isolab_error_set(err, -ESRCH, "cannot start a container that has stopped");
	if (status != CTR_STATUS_CREATED)
		return isolab_error_set(err, -EBUSY, "cannot start an already running container");
	rc = start_saved(root, &s, err);
	if (rc == 0)
		run_saved_hooks(root, &s, CTR_STATUS_RUNNING, CTR_HOOK_POSTSTART, warning);
	ctr_saved_free(&s);
	return rc;
}

int ctr_lifecycle_kill(const char *root, const char *id, int sig, bool all,
		       struct isolab_error *err)
{
	enum ctr_status status;
	struct ctr_saved s;
	struct ctr_cgroup cg;
	int pids[4096], n, rc;

	rc = ctr_lifecycle_lookup(root, id, &s, &status, err);
	if (rc < 0)
		return rc;
	ctr_saved_free(&s);
	if (status == CTR_STATUS_STOPPED)
		return isolab_error_set(err, -ESRCH, "container `%s`: container not running", id);
	if (!all) {
		if (kill(s.pid, sig) < 0)
			return isolab_error_errno(err, -errno, "container `%s`: kill %d", id, s.pid);
		return 0;
	}
	rc = ctr_cgroup_reopen(&cg, s.cgmode, s.cgroup_path, id, err);
	n = rc < 0 ? rc : ctr_cgroup_pids(&cg, pids, 4096, err);
	if (n < 0)
		return isolab_error_wrap(err, "container `%s`: kill --all", id);
	for (int i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return isolab_error_errno(err, -errno, "container `%s`: kill %d", id, pids[i]);
	return 0;
}

int ctr_lifecycle_delete(const char *root, const char *id, bool force,
			 struct isolab_error *warning, struct isolab_error *err)
{
	_cleanup_free_ char *hooks = NULL;
	struct ctr_config cfg;
	struct ctr_stats stats = { 0 };
	struct ctr_container c;
	enum ctr_status status;
	struct ctr_saved s;
	int rc;

	rc = ctr_lifecycle_lookup(root, id, &s, &status, err);
	if (rc < 0)
		return rc;
	if ((status == CTR_STATUS_RUNNING || status == CTR_STATUS_PAUSED) && !force) {
		ctr_saved_free(&s);
		return isolab_error_set(err, -EBUSY, "cannot delete container %s that is not stopped: %s",
					id, ctr_status_name(status));
	}
	ctr_config_init(&cfg);
	ctr_container_init(&c, &cfg, root, &stats);
	rc = ctr_container_load(&c, &s, root, err);
	if (rc == 0 && status != CTR_STATUS_STOPPED) {
		/* A frozen process cannot die (v1): thaw, then kill; the
		 * cgroup's removal kills whatever else is left. */
		if (status == CTR_STATUS_PAUSED)
			ctr_cgroup_freeze(&c.cg, false, NULL);
		kill(s.pid, SIGKILL);
	}
	/* The hooks go with the state dir: read first, run once it is gone. */
	if (rc == 0)
		hooks = read_hooks(root, id);
	if (rc == 0)
		rc = ctr_container_delete(&c, err);
	if (rc == 0 && hooks != NULL && ctr_hooks_from_text(hooks, &cfg, warning) == 0 &&
	    cfg.n_hooks[CTR_HOOK_POSTSTOP] > 0) {
		_cleanup_free_ char *state = ctr_saved_oci_state(&s, CTR_STATUS_STOPPED, "", false);

		ctr_hooks_run(&cfg, CTR_HOOK_POSTSTOP, state, warning);
	}
	ctr_saved_free(&s);
	ctr_config_free(&cfg);
	return rc;
}

int ctr_lifecycle_pause(const char *root, const char *id, bool pause, struct isolab_error *err)
{
	enum ctr_status status;
	struct ctr_saved s;
	struct ctr_cgroup cg;
	int rc;

	rc = ctr_lifecycle_lookup(root, id, &s, &status, err);
	if (rc < 0)
		return rc;
	ctr_saved_free(&s);
	if (status == CTR_STATUS_STOPPED)
		return isolab_error_set(err, -ESRCH, "container `%s`: container not running", id);
	if (!pause && status != CTR_STATUS_PAUSED)
		return isolab_error_set(err, -EINVAL, "container `%s`: container not paused", id);
	rc = ctr_cgroup_reopen(&cg, s.cgmode, s.cgroup_path, id, err);
	if (rc == 0)
		rc = ctr_cgroup_freeze(&cg, pause, err);
	return rc < 0 ? isolab_error_wrap(err, "container `%s`", id) : 0;
}
