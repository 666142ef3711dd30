/*
 * network.h: container networks through CNI, the engine's side (podman's
 * and containerd's way): the runtime only joins a network namespace it is
 * given (isolab-ctr --netns PATH); the engine makes that namespace and has
 * Debian's CNI plugins (containernetworking-plugins: bridge, host-local,
 * portmap, firewall, loopback) attach it, by the CNI protocol (SPEC.md:
 * CNI_COMMAND=ADD|DEL, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH in
 * the environment, the configuration on stdin, a conflist's plugins chained
 * with prevResult). Nothing here writes netlink or firewall rules itself,
 * but for deleting a network's bridge (ioctls, as brctl delbr), which no
 * plugin does.
 *
 *   ROOT/networks/NAME.conflist   the network's CNI configuration list
 *   ROOT/networks/ipam/           host-local's dataDir: the leases
 *   ROOT/netns/CONTAINER          the container's network namespace (an
 *                                 nsfs bind mount) while it is attached
 *
 * The plugins are looked for in $ISOLAB_CNI_PATH (colon-separated), else
 * /usr/lib/cni (Debian's).
 */
#ifndef ISOLAB_ENGINE_NETWORK_H
#define ISOLAB_ENGINE_NETWORK_H

#include "engine/lib/container.h"
#include "engine/lib/network_config.h"
#include "engine/lib/store.h"

#define ENG_CNI_PATH_ENV "ISOLAB_CNI_PATH"
#define ENG_CNI_PATH_DEFAULT "/usr/lib/cni"
/* The interface the container sees (Docker's and podman's). */
#define ENG_CNI_IFNAME "eth0"

/* ROOT/networks/NAME.conflist: -ENOENT "network `N` not found". */
int eng_network_load(const struct eng_store *s, const char *name, struct eng_network *out,
		     struct isolab_error *err);
/* Every network of the store, by name. */
int eng_network_list(const struct eng_store *s, struct eng_network **out, size_t *n,
		     struct isolab_error *err);
/* A new network; subnet NULL picks a free /16 (network_config.h). Refuses
 * a taken name (-EEXIST) and a subnet overlapping another network of the
 * store or an address of the host's interfaces (-EEXIST "subnet `S`
 * overlaps ..."). Exclusive lock. */
int eng_network_create(const struct eng_store *s, const char *name, const char *subnet,
		       struct eng_network *out, struct isolab_error *err);
/* Loads `name`, creating it first when it is the default network. */
int eng_network_get(const struct eng_store *s, const char *name, struct eng_network *out,
		    struct isolab_error *err);
/* Removes a network no attached container uses: its conflist, its leases,
 * its bridge. -EBUSY "network `N` is in use by container `C`". */
int eng_network_remove(const struct eng_store *s, const char *name, struct isolab_error *err);

/* Binds each published port's host address and port (so a second
 * container, or a host server, cannot take it: podman's way), fds[i] open
 * until the container is gone. -EADDRINUSE "port IP:PORT/PROTO is already
 * in use". */
int eng_network_reserve_ports(const struct eng_port *ports, size_t n, int *fds,
			      struct isolab_error *err);

/* Makes the container's network namespace (ROOT/netns/NAME), runs the
 * loopback plugin and the network's chain (CNI ADD, ports as the
 * portMappings capability), keeps the result (cni-result.json), and fills
 * c->netns and c->ip. On failure everything done is undone (DEL). */
int eng_network_attach(const struct eng_store *s, const struct eng_network *n,
		       struct eng_container *c, const struct eng_port *ports, size_t n_ports,
		       struct isolab_error *err);
/* CNI DEL (the chain backwards, with the kept result), then the namespace
 * goes, and the bridge with the network's last attachment (the bridge
 * plugin makes it again on the next ADD: a store removed with rm -rf
 * leaves no bridge behind). Goes on past errors; returns the first.
 * Clears c->netns and c->ip. */
int eng_network_detach(const struct eng_store *s, struct eng_container *c,
		       struct isolab_error *err);

/* Writes the container's hosts and resolv.conf (for -v into the container)
 * and rewrites, in place, the hosts files of the other running containers
 * of its network so they know it (and forget the detached ones). */
int eng_network_hosts_update(const struct eng_store *s, const struct eng_container *c,
			     struct isolab_error *err);

/* The leftovers of engines that were killed: every record still attached
 * whose processes are gone is detached (and removed when it ran with
 * --rm). Call with the store locked exclusively. Returns how many. */
int eng_network_cleanup(const struct eng_store *s);

/* ROOT/netns/NAME (PATH_MAX). */
void eng_network_netns_path(const struct eng_store *s, const char *ctr_name, char *buf);

#endif
