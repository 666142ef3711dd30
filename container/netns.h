/* netns.h: the network of a container: a `--net none` container's fresh
 * network namespace holds only the loopback interface, brought up here;
 * a namespace given by path (--netns, or a bundle's linux.namespaces
 * "network" entry with a "path", as runc) is joined as it is: attaching
 * networks is the engine's job (engine/lib/network.h, CNI). */
#ifndef ISOLAB_CONTAINER_NETNS_H
#define ISOLAB_CONTAINER_NETNS_H

#include <stdbool.h>

#include "common/error.h"

/* Sets IFF_UP on "lo" (SIOCSIFFLAGS, netdevice(7)); no helper process. */
int ctr_netns_loopback_up(struct isolab_error *err);

/* Moves the calling process into the network namespace at path (setns(2);
 * before the clone, so the container inherits it). -EINVAL "network
 * namespace `P`: not a network namespace"; with not_own (the config sets
 * net.* sysctls), -EPERM when path is the caller's own namespace. */
int ctr_netns_join(const char *path, bool not_own, struct isolab_error *err);

#endif
