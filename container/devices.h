/*
 * devices.h: which device nodes a container may create (mknod) and open.
 *
 * A rule list in OCI's linux.resources.devices form (allow or deny, type
 * a/b/c, major and minor or a wildcard, access any of "rwm"), read in
 * order with the last matching rule deciding and "deny" when none
 * matches, as runc's and crun's cgroup v2 device programs decide. The
 * effective list is the bundle's rules, then an allow for every node in
 * linux.devices, then the default list runc appends (libcontainer/
 * specconv AllowedDevices): mknod of any c or b node; read, write and
 * mknod of /dev/null, zero, full, random, urandom, tty, ptmx, pts/N and
 * net/tun. So a block device of the host can be made, but not opened.
 *
 * Pure: the decision for one access, the cgroup v1 lines for devices.allow
 * and devices.deny, and the instructions of a BPF_PROG_TYPE_CGROUP_DEVICE
 * program for cgroup v2 (include/uapi/linux/bpf.h: struct
 * bpf_cgroup_dev_ctx, BPF_DEVCG_*). devices_cgroup.c applies them.
 */
#ifndef ISOLAB_CONTAINER_DEVICES_H
#define ISOLAB_CONTAINER_DEVICES_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define CTR_DEV_WILDCARD (-1LL)

/* Access bits, the kernel's BPF_DEVCG_ACC_* values. */
#define CTR_DEV_ACC_MKNOD BPF_DEVCG_ACC_MKNOD
#define CTR_DEV_ACC_READ BPF_DEVCG_ACC_READ
#define CTR_DEV_ACC_WRITE BPF_DEVCG_ACC_WRITE
#define CTR_DEV_ACC_ALL (CTR_DEV_ACC_MKNOD | CTR_DEV_ACC_READ | CTR_DEV_ACC_WRITE)

struct ctr_dev_rule {
	bool allow;
	char type;           /* 'a' (any), 'b' or 'c' */
	long long major;     /* CTR_DEV_WILDCARD or 0..2^32-1 */
	long long minor;
	unsigned access;     /* CTR_DEV_ACC_* bits */
};

/* A node from linux.devices, made in the container's /dev. */
struct ctr_dev_node {
	char *path;          /* absolute, inside the container */
	char type;           /* 'c', 'b', 'u' (= c) or 'p' (fifo) */
	unsigned major, minor;
	unsigned mode;       /* permission bits; 0666 when absent */
	unsigned uid, gid;
};

/* The default rules (runc's AllowedDevices). */
extern const struct ctr_dev_rule ctr_dev_default_rules[];
extern const size_t ctr_dev_n_default_rules;

/* "rwm" -> access bits; an empty or absent string means all. */
int ctr_dev_parse_access(const char *text, unsigned *access);

/* The effective list for a container: rules, then allow rwm for each node,
 * then the defaults. *out is malloc'd. */
int ctr_dev_effective_rules(const struct ctr_dev_rule *rules, size_t n_rules,
			    const struct ctr_dev_node *nodes, size_t n_nodes,
			    struct ctr_dev_rule **out, size_t *n_out);

/* Docker's --device-cgroup-rule: "TYPE MAJOR:MINOR ACCESS" with TYPE a, b
 * or c, each number decimal or "*", ACCESS made of r, w and m ("c 1:3 mr",
 * "a *:* rwm"); an allow rule. 0, or -EINVAL. */
int ctr_dev_parse_rule(const char *text, struct ctr_dev_rule *r);

/* Whether the list allows every access to every device (an allow of
 * "a *:* rwm" with no deny after it): then no device cgroup is needed. */
bool ctr_dev_allows_all(const struct ctr_dev_rule *rules, size_t n);

/* Whether the list allows access (one or more CTR_DEV_ACC_* bits) to the
 * device type:major:minor: the last rule that matches decides; none: deny. */
bool ctr_dev_allowed(const struct ctr_dev_rule *rules, size_t n, char type,
		     unsigned major, unsigned minor, unsigned access);

/*
 * cgroup v1 (Documentation/admin-guide/cgroup-v1/devices.rst): the writes
 * that give the same decisions, each "devices.allow" or "devices.deny"
 * with a line such as "c 1:3 rwm". The first write is always "a" (all
 * allowed or all denied, clearing the list). A deny narrower than an
 * earlier allow (or the reverse after an allow-all) cannot be expressed
 * there: -EINVAL naming the rule. *out is malloc'd.
 */
struct ctr_dev_v1_write {
	const char *file;    /* "devices.allow" or "devices.deny" */
	char line[48];
};
int ctr_dev_plan_v1(const struct ctr_dev_rule *rules, size_t n,
		    struct ctr_dev_v1_write **out, size_t *n_out, struct isolab_error *err);

/* "c 1:3 rwm", "a *:* m": a rule as the kernel's v1 files write it. */
void ctr_dev_rule_line(const struct ctr_dev_rule *r, char *buf, size_t len);

/*
 * cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program. It loads the type,
 * access, major and minor from its context, tests the rules from the last
 * to the first (each a block of at most 5 compares that jumps to the next
 * block on a mismatch, then sets r0 = allow and exits) and ends with
 * r0 = 0 (deny). *out is malloc'd; *n_out instructions.
 */
int ctr_dev_bpf_program(const struct ctr_dev_rule *rules, size_t n, struct bpf_insn **out,
			size_t *n_out);

/* ---- thin layer (devices_cgroup.c) ---- */
struct ctr_cgroup;
struct ctr_config;

/* Puts the effective rules in force for the container's cgroup, before
 * the child exists: v1 writes to its devices cgroup, v2 loads the program
 * (bpf BPF_PROG_LOAD) and attaches it to the cgroup (BPF_PROG_ATTACH,
 * BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI); it goes with the cgroup. */
int ctr_devices_apply(const struct ctr_cgroup *cg, const struct ctr_config *cfg,
		      struct isolab_error *err);

/* Child side, after pivot_root: makes the linux.devices nodes. */
int ctr_devices_make_nodes(const struct ctr_config *cfg, struct isolab_error *err);

#endif
