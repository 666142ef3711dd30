/*
 * network_config.h: the pure part of the engine's container networks (CNI,
 * the Container Network Interface: github.com/containernetworking/cni,
 * SPEC.md): network names, IPv4 subnets and their overlaps, the bridge name
 * a store's network gets, the network configuration list (.conflist) the
 * engine writes and reads back, published ports (`-p`) and the CNI
 * `portMappings` capability, the result of an ADD, and the /etc/hosts a
 * container gets. No system call here: network.h runs the plugins.
 */
#ifndef ISOLAB_ENGINE_NETWORK_CONFIG_H
#define ISOLAB_ENGINE_NETWORK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"

/* The CNI spec version of the configurations written (SPEC.md, "Version"):
 * Debian 12's plugins (1.1.1) speak it. */
#define ENG_CNI_VERSION "1.0.0"
/* The network `isolab run` attaches to without --network (as Docker's
 * `bridge`), created on first use. */
#define ENG_NETWORK_DEFAULT "isolab"
/* Network names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most this long. */
#define ENG_NETWORK_NAME_MAX 32
/* Linux's interface names: IFNAMSIZ - 1. */
#define ENG_IFNAME_MAX 15
/* Subnets picked when none is given: the first free /16 from 10.88.0.0
 * (podman's default) to 10.127.0.0. */
#define ENG_SUBNET_POOL_FIRST 88
#define ENG_SUBNET_POOL_LAST 127

/* `none`, `host`, or a network name (0); -EINVAL "network name `N`: why". */
int eng_network_name_check(const char *name, struct isolab_error *err);

struct eng_subnet {
	uint32_t addr; /* host byte order, the network address */
	unsigned prefix;
};

/* "10.88.0.0/16": a network address (no host bits set), prefix 8 to 30.
 * -EINVAL "subnet `S`: why". */
int eng_subnet_parse(const char *text, struct eng_subnet *out, struct isolab_error *err);
/* "10.88.0.0/16" (at least 19 bytes). */
void eng_subnet_format(const struct eng_subnet *s, char *buf, size_t size);
/* The first address after the network's: the bridge's (gateway). */
void eng_subnet_gateway(const struct eng_subnet *s, char *buf, size_t size);
bool eng_subnet_overlaps(const struct eng_subnet *a, const struct eng_subnet *b);
/* The first /16 of the pool that overlaps none of used[0..n): 0, or
 * -ENOSPC "no free subnet in 10.88.0.0-10.127.255.255". */
int eng_subnet_pick(const struct eng_subnet *used, size_t n, struct eng_subnet *out,
		    struct isolab_error *err);

/* The bridge of network `name` in the store at `root`: "isl-" and 10 hex
 * digits of a hash of both, so two stores (or two networks) never share a
 * bridge. */
void eng_network_bridge_name(const char *root, const char *name, char *buf, size_t size);
/* The CNI container ID of a container: "isolab-" + 8 hex digits of the
 * store's hash + "-" + its name (unique across stores: the plugins name
 * iptables chains and leases after it). */
void eng_network_container_id(const char *root, const char *name, char *buf, size_t size);

/* What a network is. */
struct eng_network {
	char name[ENG_NETWORK_NAME_MAX + 1];
	char bridge[ENG_IFNAME_MAX + 1];
	struct eng_subnet subnet;
};

/* The conflist of n: bridge (a gateway on the bridge, IP masquerade,
 * hairpin) with host-local IPAM leasing from subnet into data_dir, then
 * portmap (the portMappings capability), then firewall. Caller frees. */
char *eng_network_conflist(const struct eng_network *n, const char *data_dir);
/* Reads back what eng_network_conflist wrote: name, bridge, subnet.
 * -EINVAL "network config `what`: why". */
int eng_network_conflist_parse(const char *text, const char *what, struct eng_network *out,
			       struct isolab_error *err);

/* A published port: -p [HOSTIP:]HOSTPORT:CTRPORT[/tcp|/udp]. */
struct eng_port {
	char host_ip[16]; /* dotted IPv4; "0.0.0.0" when not given */
	uint16_t host_port, ctr_port;
	bool udp;
};

/* -EINVAL "-p `S`: why". */
int eng_port_parse(const char *text, struct eng_port *out, struct isolab_error *err);
/* "0.0.0.0:8080:80/tcp": what eng_port_parse reads back (at least 32 bytes). */
void eng_port_format(const struct eng_port *p, char *buf, size_t size);
/* `isolab port`'s line: "80/tcp -> 0.0.0.0:8080". */
void eng_port_describe(const struct eng_port *p, char *buf, size_t size);
/* The runtimeConfig.portMappings array the portmap plugin takes
 * (CONVENTIONS.md, "Well-known Capabilities"). */
cJSON *eng_port_mappings_json(const struct eng_port *ports, size_t n);

/* The container's IPv4 address from a CNI ADD result (SPEC.md, "Success"):
 * the first ips[] entry, without its prefix length ("10.88.0.2").
 * -EINVAL "CNI result: why". */
int eng_cni_result_ip(const char *result, char *buf, size_t size, struct isolab_error *err);
/* The error of a failed plugin (SPEC.md, "Error"): "msg (details)", or the
 * output itself when it is not that JSON; into buf. */
void eng_cni_error_message(const char *output, char *buf, size_t size);

/* A container's /etc/hosts: localhost, then `ip name [hostname]` for it and
 * for each peer on its network. Caller frees. */
struct eng_host_entry {
	const char *ip, *name;
};
char *eng_hosts_file(const struct eng_host_entry *self, const char *hostname,
		     const struct eng_host_entry *peers, size_t n_peers);
/* /etc/resolv.conf from the host's: its lines but the nameservers on
 * loopback (unreachable from another network namespace). Caller frees. */
char *eng_resolv_conf(const char *host);

#endif
