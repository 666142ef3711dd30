/*
 * sysctl.h: linux.sysctl (runtime-spec config-linux.md "Sysctl") as runc
 * allows it (libcontainer/configs/validate: sysctl): only keys that live in
 * a namespace the container has of its own, so a container never changes
 * the host's kernel:
 *   ipc  kernel.msgmax msgmnb msgmni sem shmall shmmax shmmni
 *        shm_rmid_forced, fs.mqueue.*
 *   net  net.*
 *   uts  kernel.domainname (kernel.hostname: the config's `hostname`)
 * The child writes each as /proc/sys/<key, dots as slashes> once its
 * namespaces are made and /proc is the container's (child_setup.c).
 */
#ifndef ISOLAB_CONTAINER_SYSCTL_H
#define ISOLAB_CONTAINER_SYSCTL_H

#include <stddef.h>

#include "common/error.h"

/* 0 if key may be set in a container with these CLONE_NEW* namespaces,
 * else -EINVAL with one line naming the key and why. Pure. */
int ctr_sysctl_check(const char *key, int namespaces, struct isolab_error *err);

/* "/proc/sys/net/ipv4/ping_group_range" for "net.ipv4.ping_group_range"
 * (a key may use '/' too, as net.ipv4.conf.eth0/100.forwarding). Pure. */
int ctr_sysctl_path(const char *key, char *buf, size_t len);

#endif
