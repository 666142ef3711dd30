/* mounts.c: the child's mounts, devices, pivot_root and masks (see mounts.h). */
#include "container/mounts.h"
#include "common/cleanup.h"
#include "common/timing.h"
#include "container/cgroupfs.h"
#include "container/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

struct devnode {
	const char *name;
	unsigned major, minor;
};

/* Documentation/admin-guide/devices.txt; the OCI runtime-spec's default
 * devices (config-linux.md "Default Devices"). */
static const struct devnode devnodes[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

/* Remounts a bind mount read-only, keeping the flags a user namespace
 * may not clear. */
static int remount_ro(const char *path, unsigned long extra, struct isolab_error *err)
{
	unsigned long f = MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(path) | extra;

	if (mount(NULL, path, NULL, f, NULL) < 0)
		return isolab_error_errno(err, -errno, "remount `%s` read-only", path);
	return 0;
}

/* The mount at destination (just made) as an fd path, for remounts. */
static int remount_at(int rootfd, const char *destination, unsigned long flags,
		      const char *what, struct isolab_error *err)
{
	_cleanup_close_ int fd = ctr_resolve_in_root(rootfd, destination, CTR_RESOLVE_EXISTING, err);
	char path[32];

	if (fd < 0)
		return fd;
	ctr_fd_path(fd, path, sizeof(path));
	if (flags & MS_REMOUNT)
		flags |= locked_flags(path);
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		return isolab_error_errno(err, -errno, "%s `%s`", what, destination);
	return 0;
}

static int do_bind(const struct ctr_mount *m, int rootfd, struct isolab_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	char path[32];

	if (stat(m->source, &st) < 0)
		return isolab_error_errno(err, -errno, "volume `%s`", m->source);
	fd = ctr_resolve_in_root(rootfd, m->destination,
				 S_ISDIR(st.st_mode) ? CTR_RESOLVE_DIR : CTR_RESOLVE_FILE, err);
	if (fd < 0)
		return isolab_error_wrap(err, "mount point");
	if (mount(m->source, ctr_fd_path(fd, path, sizeof(path)), NULL,
		  MS_BIND | (m->flags & MS_REC), NULL) < 0)
		return isolab_error_errno(err, -errno, "bind `%s` on `%s`", m->source,
					  m->destination);
	if ((m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)))
		return remount_at(rootfd, m->destination,
				  MS_BIND | MS_REMOUNT |
					  (m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)),
				  "remount with its options", err);
	return 0;
}

/* A /proc file whole (stat says size 0: read to EOF), NUL-ended. */
static int read_proc(const char *path, char *buf, size_t size, struct isolab_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return isolab_error_errno(err, -errno, "open `%s`", path);
	while (got + 1 < size && (n = read(fd, buf + got, size - got - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return isolab_error_errno(err, -errno, "read `%s`", path);
		got += (size_t)n;
	}
	buf[got] = '\0';
	return 0;
}

/* One hierarchy under the tmpfs (fd cgdir): mounted afresh in a cgroup
 * namespace, else the container's own cgroup bound from the host's. */
static int mount_hierarchy(int cgdir, const struct ctr_cgroupfs_entry *e, unsigned long flags,
			   bool cgroupns, struct isolab_error *err)
{
	unsigned long keep = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	_cleanup_close_ int fd = -1;
	char path[32];

	if (mkdirat(cgdir, e->name, 0755) < 0 && errno != EEXIST)
		return isolab_error_errno(err, -errno, "mkdir `/sys/fs/cgroup/%s`", e->name);
	fd = openat(cgdir, e->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "open `/sys/fs/cgroup/%s`", e->name);
	ctr_fd_path(fd, path, sizeof(path));
	if (cgroupns && mount("cgroup", path, "cgroup", keep, e->controllers) == 0)
		return 0;
	if (mount(e->source, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return isolab_error_errno(err, -errno, "bind `%s` on `/sys/fs/cgroup/%s`", e->source,
					  e->name);
	if (!keep)
		return 0;
	/* The fd is the directory under the bind: the mount's own, for the remount. */
	close(fd);
	fd = openat(cgdir, e->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "open `/sys/fs/cgroup/%s`", e->name);
	ctr_fd_path(fd, path, sizeof(path));
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | keep | locked_flags(path), NULL) < 0)
		return isolab_error_errno(err, -errno, "remount `/sys/fs/cgroup/%s` with its options",
					  e->name);
	return 0;
}

/* A cgroup mount on a v1 or hybrid host (cgroupfs.h): a tmpfs holding
 * each v1 hierarchy the container is in, read-only if the mount is. */
static int mount_cgroup_v1(const struct ctr_mount *m, int rootfd, bool cgroupns,
			   struct isolab_error *err)
{
	struct ctr_cgroupfs_entry e[CTR_CGROUPFS_MAX];
	unsigned long flags = m->flags & ~(MS_BIND | MS_REC);
	static char mountinfo[1 << 16]; /* the child is single-threaded */
	char self[4096], path[32];
	_cleanup_close_ int fd = -1, cgdir = -1;
	int n;

	if (read_proc("/proc/self/mountinfo", mountinfo, sizeof(mountinfo), err) < 0 ||
	    read_proc("/proc/self/cgroup", self, sizeof(self), err) < 0)
		return isolab_error_wrap(err, "mount cgroup on `%s`", m->destination);
	n = ctr_cgroupfs_plan(mountinfo, self, e, CTR_CGROUPFS_MAX, err);
	if (n < 0)
		return isolab_error_wrap(err, "mount cgroup on `%s`", m->destination);
	fd = ctr_resolve_in_root(rootfd, m->destination, CTR_RESOLVE_DIR, err);
	if (fd < 0)
		return isolab_error_wrap(err, "mount point");
	if (mount("tmpfs", ctr_fd_path(fd, path, sizeof(path)), "tmpfs",
		  (flags & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		return isolab_error_errno(err, -errno, "mount tmpfs on `%s`", m->destination);
	cgdir = ctr_resolve_in_root(rootfd, m->destination, CTR_RESOLVE_EXISTING, err);
	if (cgdir < 0)
		return cgdir;
	for (int i = 0; i < n; i++) {
		if (mount_hierarchy(cgdir, &e[i], flags, cgroupns, err) < 0)
			return err->code;
		/* cpu,cpuacct: the links cpu and cpuacct, as on the host. */
		if (strchr(e[i].name, ',') != NULL) {
			char names[64], *save = NULL;

			memcpy(names, e[i].name, sizeof(names));
			for (char *t = strtok_r(names, ",", &save); t; t = strtok_r(NULL, ",", &save))
				if (symlinkat(e[i].name, cgdir, t) < 0 && errno != EEXIST)
					return isolab_error_errno(err, -errno,
								  "symlink `/sys/fs/cgroup/%s`", t);
		}
	}
	if (flags & MS_RDONLY)
		return remount_at(rootfd, m->destination, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV |
							   MS_NOEXEC,
				  "remount read-only", err);
	return 0;
}

static int do_mount(const struct ctr_mount *m, int rootfd, bool userns, bool cgroupns,
		    enum ctr_cgroup_mode cgmode, struct isolab_error *err)
{
	_cleanup_close_ int fd = -1;
	const char *type = m->type;
	unsigned long flags = m->flags & ~(MS_BIND | MS_REC);
	char path[32];
	int rc;

	if (m->flags & MS_BIND)
		return do_bind(m, rootfd, err);
	if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0) {
		if (cgmode != CTR_CGROUP_V2)
			return mount_cgroup_v1(m, rootfd, cgroupns, err);
		type = "cgroup2";
	}
	fd = ctr_resolve_in_root(rootfd, m->destination, CTR_RESOLVE_DIR, err);
	if (fd < 0)
		return isolab_error_wrap(err, "mount point");
	ctr_fd_path(fd, path, sizeof(path));
	if (mount(m->source, path, type, flags, m->data[0] ? m->data : NULL) == 0)
		return 0;
	rc = -errno;
	/* sysfs belongs to the network namespace: with a user namespace but
	 * the host's network it cannot be mounted, so bind the host's. */
	if (strcmp(type, "sysfs") == 0 && (rc == -EPERM || rc == -EACCES) && userns) {
		if (mount("/sys", path, NULL, MS_BIND | MS_REC, NULL) < 0)
			return isolab_error_errno(err, -errno, "bind `/sys` on `%s`", m->destination);
		return remount_at(rootfd, m->destination, MS_BIND | MS_REMOUNT | MS_RDONLY,
				  "remount read-only", err);
	}
	return isolab_error_errno(err, rc, "mount %s on `%s`", type, m->destination);
}

/* The default nodes and links in the container's /dev (a fresh tmpfs),
 * made relative to its fd. */
static int make_devices(int rootfd, bool userns, struct isolab_error *err)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
		{ "pts/ptmx", "ptmx" }, { "/proc/kcore", "core" },
	};
	_cleanup_close_ int devfd = ctr_resolve_in_root(rootfd, "/dev", CTR_RESOLVE_EXISTING, err);
	char host[32], path[32];

	if (devfd < 0)
		return devfd;
	for (size_t i = 0; i < sizeof(devnodes) / sizeof(devnodes[0]); i++) {
		_cleanup_close_ int fd = -1;

		if (!userns) {
			if (mknodat(devfd, devnodes[i].name, S_IFCHR | 0666,
				    makedev(devnodes[i].major, devnodes[i].minor)) < 0 && errno != EEXIST)
				return isolab_error_errno(err, -errno, "mknod `/dev/%s`",
							  devnodes[i].name);
			continue;
		}
		/* mknod is not allowed in a user namespace: bind the host's. */
		snprintf(host, sizeof(host), "/dev/%s", devnodes[i].name);
		fd = openat(devfd, devnodes[i].name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return isolab_error_errno(err, -errno, "create `/dev/%s`", devnodes[i].name);
		if (mount(host, ctr_fd_path(fd, path, sizeof(path)), NULL, MS_BIND, NULL) < 0)
			return isolab_error_errno(err, -errno, "bind `%s`", host);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
			return isolab_error_errno(err, -errno, "symlink `/dev/%s`", links[i][1]);
	}
	return 0;
}

static int do_pivot(const char *root, struct isolab_error *err)
{
	if (chdir(root) < 0)
		return isolab_error_errno(err, -errno, "chdir `%s`", root);
	/* pivot_root(".", "."): the old root ends up on top of the new one,
	 * and is then detached (see pivot_root(2), NOTES). */
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		if (umount2(".", MNT_DETACH) < 0)
			return isolab_error_errno(err, -errno, "detach the old root");
		if (chdir("/") < 0)
			return isolab_error_errno(err, -errno, "chdir `/`");
		return 0;
	}
	int saved = errno;
	struct statfs sfs;

	/* rootfs (an initramfs: ramfs or tmpfs) cannot be pivoted. */
	if (saved != EINVAL || statfs("/", &sfs) < 0 ||
	    (sfs.f_type != RAMFS_MAGIC && sfs.f_type != TMPFS_MAGIC))
		return isolab_error_errno(err, -saved, "pivot_root into `%s`", root);
	/* The host root is an initramfs (rootfs cannot be pivoted): move the
	 * new root over it and chroot, as switch_root does. */
	if (mount(root, "/", NULL, MS_MOVE, NULL) < 0)
		return isolab_error_errno(err, -errno, "move `%s` to `/`", root);
	if (chroot(".") < 0)
		return isolab_error_errno(err, -errno, "chroot `%s`", root);
	if (chdir("/") < 0)
		return isolab_error_errno(err, -errno, "chdir `/`");
	return 0;
}

static int mask_path(const char *path, struct isolab_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0; /* nothing to hide */
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0") < 0)
			return isolab_error_errno(err, -errno, "mask `%s`", path);
	} else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
		return isolab_error_errno(err, -errno, "mask `%s`", path);
	}
	return 0;
}

static int readonly_path(const char *path, struct isolab_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return isolab_error_errno(err, -errno, "bind `%s` for read-only", path);
	return remount_ro(path, 0, err);
}

int ctr_mounts_setup(const struct ctr_config *cfg, struct ctr_state *st,
		     enum ctr_cgroup_mode cgmode, const struct ctr_mounts_steps *steps,
		     unsigned long long times[2], struct isolab_error *err)
{
	bool userns = (cfg->namespaces & CLONE_NEWUSER) != 0;
	bool dev_tmpfs = false;
	_cleanup_close_ int rootfd = -1;
	int rc;

	/* Nothing from here on propagates back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return isolab_error_errno(err, -errno, "make `/` private");
	/* The writable layer and the overlay, unless the parent made them in
	 * the host's namespace: here they vanish with the namespace, and the
	 * parent has no unmount (and no RCU grace period) to wait for. */
	if (!st->mounted_overlay && (rc = ctr_state_mount(st, cfg, err)) < 0)
		return rc;
	/* In a user namespace the overlay copied from the host's mount
	 * namespace is locked (mount_namespaces(7)) and pivot_root refuses
	 * it: bind it onto itself to get a mount this namespace owns. */
	if (userns && mount(st->root, st->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return isolab_error_errno(err, -errno, "bind `%s` onto itself", st->root);
	/* Every destination is looked up inside this (resolve.h). */
	rootfd = open(st->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return isolab_error_errno(err, -errno, "open `%s`", st->root);
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct ctr_mount *m = &cfg->mounts[i];

		if (strcmp(m->destination, "/") == 0)
			return isolab_error_set(err, -EINVAL, "mount on `/` is not allowed");
		rc = do_mount(m, rootfd, userns, (cfg->namespaces & CLONE_NEWCGROUP) != 0, cgmode, err);
		if (rc < 0)
			return rc;
		if (m->propagation &&
		    remount_at(rootfd, m->destination, m->propagation, "set propagation of", err) < 0)
			return err->code;
		if (strcmp(m->destination, "/dev") == 0 && strcmp(m->type, "tmpfs") == 0)
			dev_tmpfs = true;
	}
	if (dev_tmpfs) {
		rc = make_devices(rootfd, userns, err);
		if (rc < 0)
			return rc;
	}
	times[0] = isolab_since_start_ns();
	if (steps->before_pivot && (rc = steps->before_pivot(steps->arg, err)) < 0)
		return rc;
	rc = do_pivot(st->root, err);
	if (rc < 0)
		return rc;
	times[1] = isolab_since_start_ns();
	/* After the pivot the root is a mount of this namespace's own: shared
	 * or slave here never reaches the host's mounts. */
	if (cfg->rootfs_propagation) {
		if (mount(NULL, "/", NULL, cfg->rootfs_propagation, NULL) < 0)
			return isolab_error_errno(err, -errno, "linux.rootfsPropagation of `/`");
		/* A mount's own propagation option wins over the root's (rshared). */
		for (size_t i = 0; i < cfg->n_mounts; i++)
			if (cfg->mounts[i].propagation &&
			    remount_at(rootfd, cfg->mounts[i].destination, cfg->mounts[i].propagation,
				       "set propagation of", err) < 0)
				return err->code;
	}
	if (steps->after_pivot && (rc = steps->after_pivot(steps->arg, err)) < 0)
		return rc;
	for (size_t i = 0; i < cfg->n_masked; i++) {
		rc = mask_path(cfg->masked_paths[i], err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < cfg->n_readonly; i++) {
		rc = readonly_path(cfg->readonly_paths[i], err);
		if (rc < 0)
			return rc;
	}
	if (cfg->readonly_root && remount_ro("/", 0, err) < 0)
		return err->code;
	return 0;
}
