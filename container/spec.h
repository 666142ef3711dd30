/*
 * spec.h: `isolab-ctr spec`, the default config.json runc writes
 * (`runc spec`, runc's libcontainer/specconv Example() and ToRootless()),
 * so a bundle made for runc and one made here are the same: `sh` on a
 * terminal as root in rootfs/ (read-only), the capabilities
 * AUDIT_WRITE, KILL and NET_BIND_SERVICE (bounding, effective, permitted
 * and ambient, no inheritable: the ambient ones are then not raised,
 * caps.h), RLIMIT_NOFILE 1024, no_new_privs, the mounts /proc /dev
 * /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup, every device
 * denied (the runtime's defaults come after), the pid, network, ipc, uts
 * and mount namespaces, runc's masked and read-only paths.
 *
 * --rootless (runc's ToRootless): a user namespace mapping root inside to
 * the caller's uid and gid, no network namespace, /sys bound from the
 * host (sysfs cannot be mounted without a network namespace of one's
 * own), no uid=/gid= mount options and no linux.resources.
 */
#ifndef ISOLAB_CONTAINER_SPEC_H
#define ISOLAB_CONTAINER_SPEC_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <sys/types.h>

/* The document; uid and gid are the caller's, used with rootless. NULL
 * when out of memory. Pure. */
cJSON *ctr_spec_default(bool rootless, uid_t uid, gid_t gid);

#endif
