/*
 * cgroupfs.h: the container's /sys/fs/cgroup on a cgroup v1 or hybrid host,
 * as runc makes it (libcontainer/rootfs_linux.go, mountCgroupV1): a tmpfs
 * with one directory per v1 hierarchy, each either the hierarchy mounted
 * afresh (in a cgroup namespace: the kernel shows the namespace's root) or
 * a bind of the container's own cgroup directory in the host's hierarchy,
 * plus the links for merged hierarchies (cpu -> cpu,cpuacct). On cgroup v2
 * the mount is cgroup2 (mounts.c).
 *
 * The pure half reads /proc/self/mountinfo and /proc/self/cgroup (their
 * texts, proc(5)) into that plan; mounts.c does the mounts.
 */
#ifndef ISOLAB_CONTAINER_CGROUPFS_H
#define ISOLAB_CONTAINER_CGROUPFS_H

#include <limits.h>
#include <stddef.h>

#include "common/error.h"

#define CTR_CGROUPFS_MAX 16

struct ctr_cgroupfs_entry {
	char name[64];            /* the directory under /sys/fs/cgroup: "cpu,cpuacct" */
	char controllers[64];     /* mount data for a fresh mount: "cpu,cpuacct", "name=systemd" */
	char source[PATH_MAX];    /* the container's cgroup in the host's hierarchy */
};

/* One entry per v1 ("cgroup" type) mount in mountinfo whose hierarchy
 * /proc/self/cgroup lists; the cgroup2 mount of a hybrid host is left out
 * (as runc does). Returns the number of entries, or -EINVAL with err
 * naming the line that could not be read. Pure. */
int ctr_cgroupfs_plan(const char *mountinfo, const char *self_cgroup,
		      struct ctr_cgroupfs_entry *out, size_t max, struct isolab_error *err);

#endif
