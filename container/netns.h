/* netns.h: the network of a `--net none` container: its fresh network
 * namespace holds only the loopback interface, brought up here. */
#ifndef ISOLAB_CONTAINER_NETNS_H
#define ISOLAB_CONTAINER_NETNS_H

#include "common/error.h"

/* Sets IFF_UP on "lo" (SIOCSIFFLAGS, netdevice(7)); no helper process. */
int ctr_netns_loopback_up(struct isolab_error *err);

#endif
