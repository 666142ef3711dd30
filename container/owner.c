/* owner.c: owner records and the sweep of stale containers (see owner.h). */
#include "container/owner.h"
#include "common/cleanup.h"
#include "common/mkdir.h"
#include "common/procfs.h"
#include "container/cgroup.h"
#include "container/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- pure part ---- */

int ctr_owner_format(const struct ctr_owner *owner, const char *id, char *buf, size_t len)
{
	const char *path = owner->cgroup_path;
	size_t plen = strlen(path), idlen = strlen(id);
	int n, parent = -1; /* the parent's length without its leading '/', or -1 */

	if (plen > idlen && path[plen - idlen - 1] == '/' && strcmp(path + plen - idlen, id) == 0)
		parent = plen - idlen - 1 > 0 ? (int)(plen - idlen - 2) : 0;
	if (parent >= 0)
		n = snprintf(buf, len, "%d %llu %llu %.*s", owner->pid, owner->start, owner->pidns,
			     parent, path + (parent > 0));
	else
		n = snprintf(buf, len, "%d %llu %llu %s", owner->pid, owner->start, owner->pidns,
			     path);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

/* A decimal number followed by one space; returns what follows, or NULL. */
static const char *parse_number(const char *p, unsigned long long *value)
{
	char *end;

	if (*p < '0' || *p > '9')
		return NULL;
	errno = 0;
	*value = strtoull(p, &end, 10);
	if (errno != 0 || *end != ' ')
		return NULL;
	return end + 1;
}

int ctr_owner_parse(const char *text, const char *id, struct ctr_owner *owner)
{
	unsigned long long pid = 0;
	const char *p = parse_number(text, &pid);
	int n;

	if (p != NULL)
		p = parse_number(p, &owner->start);
	if (p != NULL)
		p = parse_number(p, &owner->pidns);
	if (p == NULL || pid == 0 || pid > INT_MAX)
		return -EINVAL;
	owner->pid = (int)pid;
	/* The rest of the text: a whole path, or a parent (possibly empty,
	 * never with a leading '/': --cgroup-parent drops it) of id. */
	if (*p == '/')
		n = snprintf(owner->cgroup_path, sizeof(owner->cgroup_path), "%s", p);
	else
		n = snprintf(owner->cgroup_path, sizeof(owner->cgroup_path), "%s%s/%s",
			     *p ? "/" : "", p, id);
	return (n < 0 || (size_t)n >= sizeof(owner->cgroup_path)) ? -EINVAL : 0;
}

int ctr_proc_stat_parse(const char *text, char *state, unsigned long long *start)
{
	const char *s = isolab_proc_stat_field(text, 3), *t = isolab_proc_stat_field(text, 22);
	char *end;

	if (s == NULL || t == NULL || *t < '0' || *t > '9')
		return -EINVAL;
	*state = *s;
	errno = 0;
	*start = strtoull(t, &end, 10);
	return (errno != 0 || (*end != ' ' && *end != '\n' && *end != '\0')) ? -EINVAL : 0;
}

bool ctr_owner_is_stale(const struct ctr_owner *owner, unsigned long long my_pidns,
			const char *proc_stat)
{
	unsigned long long start;
	char state;

	if (owner->pidns != my_pidns)
		return false; /* its pid means another process here */
	if (proc_stat == NULL)
		return true; /* no such process */
	if (ctr_proc_stat_parse(proc_stat, &state, &start) < 0)
		return false; /* cannot tell */
	if (start != owner->start)
		return true; /* the pid was reused */
	return state == 'Z' || state == 'X'; /* exited, not reaped yet */
}

/* ---- system part ---- */

static int my_pidns(unsigned long long *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) < 0)
		return -errno;
	*ino = (unsigned long long)st.st_ino;
	return 0;
}

int ctr_owner_claim(const char *state_root, const char *id, const char *cgroup_path,
		    struct isolab_error *err)
{
	struct ctr_owner me = { .pid = (int)getpid() };
	char stat_text[1024], record[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];
	char state;
	int rc;

	rc = my_pidns(&me.pidns);
	if (rc == 0)
		rc = isolab_read_text("/proc/self/stat", stat_text, sizeof(stat_text));
	if (rc == 0 && ctr_proc_stat_parse(stat_text, &state, &me.start) < 0)
		rc = -EINVAL;
	if (rc < 0)
		return isolab_error_errno(err, rc, "owner record: read this process's `/proc/self`");
	if (snprintf(me.cgroup_path, sizeof(me.cgroup_path), "%s", cgroup_path) >=
		    (int)sizeof(me.cgroup_path) ||
	    ctr_owner_format(&me, id, record, sizeof(record)) < 0 ||
	    snprintf(dir, sizeof(dir), "%s/%s", state_root, CTR_OWNER_SUBDIR) >= (int)sizeof(dir) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, id) >= (int)sizeof(path))
		return isolab_error_set(err, -ENAMETOOLONG, "owner record for `%s`: too long", id);
	if (symlink(record, path) == 0)
		return 0;
	if (errno == ENOENT) { /* the first run since boot */
		rc = isolab_mkdir_p(dir, 0711);
		if (rc < 0)
			return isolab_error_errno(err, rc, "create `%s`", dir);
		if (symlink(record, path) == 0)
			return 0;
	}
	rc = isolab_error_errno(err, -errno, "create owner record `%s`", path);
	if (rc == -EEXIST)
		isolab_error_wrap(err, "container `%s` already exists", id);
	return rc;
}

/* pid's record: its start time and our pid namespace (the one pid is a
 * number in). */
static int owner_of(int pid, const char *cgroup_path, struct ctr_owner *o,
		    struct isolab_error *err)
{
	char stat_text[1024], path[64];
	char state;
	int rc;

	memset(o, 0, sizeof(*o));
	o->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	rc = my_pidns(&o->pidns);
	if (rc == 0)
		rc = isolab_read_text(path, stat_text, sizeof(stat_text));
	if (rc == 0 && ctr_proc_stat_parse(stat_text, &state, &o->start) < 0)
		rc = -EINVAL;
	if (rc < 0)
		return isolab_error_errno(err, rc, "owner record: read `%s`", path);
	if (snprintf(o->cgroup_path, sizeof(o->cgroup_path), "%s", cgroup_path) >=
	    (int)sizeof(o->cgroup_path))
		return isolab_error_set(err, -ENAMETOOLONG, "owner record: cgroup path too long");
	return 0;
}

int ctr_owner_transfer(const char *state_root, const char *id, int pid, const char *cgroup_path,
		       struct ctr_owner *owner, struct isolab_error *err)
{
	char record[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX];
	int rc = owner_of(pid, cgroup_path, owner, err);

	if (rc < 0)
		return rc;
	/* A dot name: sweeps skip it (ids never start with a dot). */
	if (ctr_owner_format(owner, id, record, sizeof(record)) < 0 ||
	    snprintf(path, sizeof(path), "%s/%s/%s", state_root, CTR_OWNER_SUBDIR, id) >=
		    (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/%s/.%s.%d", state_root, CTR_OWNER_SUBDIR, id,
		     (int)getpid()) >= (int)sizeof(tmp))
		return isolab_error_set(err, -ENAMETOOLONG, "owner record for `%s`: too long", id);
	if (symlink(record, tmp) < 0)
		return isolab_error_errno(err, -errno, "create owner record `%s`", tmp);
	if (rename(tmp, path) < 0) {
		rc = isolab_error_errno(err, -errno, "replace owner record `%s`", path);
		unlink(tmp);
		return rc;
	}
	return 0;
}

int ctr_owner_release(const char *state_root, const char *id, struct isolab_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/%s", state_root, CTR_OWNER_SUBDIR, id);
	if (unlink(path) < 0)
		return isolab_error_errno(err, -errno, "remove owner record `%s`", path);
	return 0;
}

struct sweep {
	const char *state_root;
	int dirfd;                 /* the records directory */
	unsigned long long pidns;  /* ours */
	bool locked;               /* we hold its flock */
	bool have_mode;
	enum ctr_cgroup_mode mode;
	bool stopped_too;          /* created containers too (owner.h) */
	bool kill_busy;            /* kill what is left in its cgroups (delete --force) */
};

static int read_record(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t n = readlinkat(dirfd, name, buf, len - 1);

	if (n < 0)
		return -errno;
	if ((size_t)n >= len - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/* Removes what the stale container `name` left; the record goes last. */
static int remove_leftovers(struct sweep *s, const char *name, const struct ctr_owner *owner,
			    struct isolab_error *err)
{
	int rc;

	if (!s->have_mode) {
		rc = ctr_cgroup_detect(&s->mode, err);
		if (rc < 0)
			return rc;
		s->have_mode = true;
	}
	if (s->kill_busy) {
		struct ctr_cgroup cg;

		rc = ctr_cgroup_reopen(&cg, s->mode, owner->cgroup_path, name, err);
		if (rc == 0)
			rc = ctr_cgroup_destroy(&cg, err);
		else if (rc == -ENOENT)
			rc = 0; /* none was made */
	} else {
		rc = ctr_cgroup_remove_stale(s->mode, owner->cgroup_path, err);
	}
	if (rc == 0)
		rc = ctr_state_remove_stale(s->state_root, name, err);
	if (rc == 0 && unlinkat(s->dirfd, name, 0) < 0 && errno != ENOENT)
		rc = isolab_error_errno(err, -errno, "remove owner record `%s/%s/%s`",
					s->state_root, CTR_OWNER_SUBDIR, name);
	return rc;
}

/* Returns 1 when a stale container had to be left, else 0. */
static int sweep_entry(struct sweep *s, const char *name, ctr_warn_fn *warn)
{
	char record[PATH_MAX], again[PATH_MAX], path[64], stat_text[1024];
	struct isolab_error err = { 0 };
	struct ctr_owner owner;
	int rc;

	if (read_record(s->dirfd, name, record, sizeof(record)) < 0 ||
	    ctr_owner_parse(record, name, &owner) < 0)
		return 0; /* not a record this version made */
	snprintf(path, sizeof(path), "/proc/%d/stat", owner.pid);
	rc = isolab_read_text(path, stat_text, sizeof(stat_text));
	if (rc < 0 && rc != -ENOENT && rc != -ESRCH)
		return 0; /* cannot tell */
	if (!ctr_owner_is_stale(&owner, s->pidns, rc < 0 ? NULL : stat_text))
		return 0;
	if (!s->stopped_too) {
		struct stat st;

		snprintf(again, sizeof(again), "%s/%s/%s", s->state_root, name, CTR_STATE_FILE);
		if (stat(again, &st) == 0)
			return 0; /* a stopped container of `create`'s: for delete */
	}
	if (!s->locked) {
		while (flock(s->dirfd, LOCK_EX) < 0)
			if (errno != EINTR)
				return 0;
		s->locked = true;
	}
	/* Under the lock: another sweeper may have removed it meanwhile, and
	 * a new runtime may have claimed the id since. */
	if (read_record(s->dirfd, name, again, sizeof(again)) < 0 || strcmp(again, record) != 0)
		return 0;
	if (remove_leftovers(s, name, &owner, &err) == 0)
		return 0;
	isolab_error_wrap(&err, "container `%s` (its runtime, pid %d, is gone): kept", name,
			  owner.pid);
	if (warn != NULL)
		warn(err.msg);
	return 1;
}

int ctr_owner_sweep_one(const char *state_root, const char *id, ctr_warn_fn *warn)
{
	struct sweep s = { .state_root = state_root, .dirfd = -1, .kill_busy = true };
	char dir[PATH_MAX];
	int left = 0;

	if (snprintf(dir, sizeof(dir), "%s/%s", state_root, CTR_OWNER_SUBDIR) >= (int)sizeof(dir))
		return 0;
	s.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.dirfd < 0)
		return 0;
	if (id[0] != '.' && strchr(id, '/') == NULL && my_pidns(&s.pidns) == 0)
		left = sweep_entry(&s, id, warn);
	close(s.dirfd);
	return left;
}

int ctr_owner_sweep(const char *state_root, ctr_warn_fn *warn, bool stopped_too)
{
	/* getdents64(2) into the stack rather than opendir(3), whose 32 KiB
	 * buffer costs a fresh process more than the read itself. */
	_Alignas(struct dirent64) char buf[2048];
	struct sweep s = { .state_root = state_root, .dirfd = -1, .stopped_too = stopped_too };
	char dir[PATH_MAX];
	int left = 0;
	ssize_t n;

	if (snprintf(dir, sizeof(dir), "%s/%s", state_root, CTR_OWNER_SUBDIR) >= (int)sizeof(dir))
		return 0;
	s.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.dirfd < 0)
		return 0; /* no run since boot */
	while ((n = getdents64(s.dirfd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (de->d_name[0] == '.')
				continue; /* ".", ".." (ids never start with a dot) */
			/* Also proves /proc is there: without it every
			 * runtime would look gone. */
			if (s.pidns == 0 && my_pidns(&s.pidns) < 0)
				goto out;
			left += sweep_entry(&s, de->d_name, warn);
		}
	}
out:
	close(s.dirfd); /* and the flock with it */
	return left;
}
