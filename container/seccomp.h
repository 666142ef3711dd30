/*
 * seccomp.h: the container's system call filter, as a pure description.
 *
 * Two sources fill the same struct: a JSON profile (Docker's format for
 * `--security-opt seccomp=FILE.json`: defaultAction, defaultErrnoRet,
 * architectures or archMap, syscalls[{names, action, errnoRet, args,
 * includes/excludes {caps, arches, minKernel}}]; or an OCI bundle's
 * linux.seccomp: defaultAction, defaultErrnoRet, architectures, flags,
 * syscalls) and the default profile (seccomp_default.c, the effect of
 * moby's profiles/seccomp/default.json). ctr_seccomp_resolve() then keeps
 * the rules that apply to this container (its capabilities, this
 * architecture, the running kernel), as Docker does before it hands the
 * profile to runc. seccomp_load.c turns the result into a filter with
 * libseccomp.
 */
#ifndef ISOLAB_CONTAINER_SECCOMP_H
#define ISOLAB_CONTAINER_SECCOMP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum ctr_scmp_action {
	CTR_SCMP_KILL_PROCESS,
	CTR_SCMP_KILL_THREAD, /* also "SCMP_ACT_KILL" */
	CTR_SCMP_TRAP,
	CTR_SCMP_ERRNO,
	CTR_SCMP_TRACE,
	CTR_SCMP_LOG,
	CTR_SCMP_ALLOW,
};

/* libseccomp's scmp_compare, by name ("SCMP_CMP_EQ", ...). */
enum ctr_scmp_op {
	CTR_SCMP_CMP_NE = 1,
	CTR_SCMP_CMP_LT,
	CTR_SCMP_CMP_LE,
	CTR_SCMP_CMP_EQ,
	CTR_SCMP_CMP_GE,
	CTR_SCMP_CMP_GT,
	CTR_SCMP_CMP_MASKED_EQ, /* (arg & value) == valueTwo */
};

#define CTR_SCMP_MAX_ARGS 6
#define CTR_SCMP_EPERM 1 /* errnoRet when none is given, as runc */

struct ctr_scmp_arg {
	unsigned index;
	uint64_t value, value_two;
	enum ctr_scmp_op op;
};

struct ctr_scmp_rule {
	char **names;
	size_t n_names;
	enum ctr_scmp_action action;
	int errno_ret;
	struct ctr_scmp_arg args[CTR_SCMP_MAX_ARGS];
	size_t n_args;
	/* Docker's conditions: applies only with all caps_all, with none of
	 * caps_none (capability bit masks), on this architecture, and on a
	 * kernel at least min_kernel (major << 16 | minor; 0: any). */
	uint64_t caps_all, caps_none;
	bool other_arch;
	unsigned min_kernel;
};

/* SECCOMP_FILTER_FLAG_* the OCI flags name. */
#define CTR_SCMP_FLAG_TSYNC 1u
#define CTR_SCMP_FLAG_LOG 2u
#define CTR_SCMP_FLAG_SPEC_ALLOW 4u

struct ctr_seccomp_profile {
	enum ctr_scmp_action default_action;
	int default_errno;
	char **arches;        /* libseccomp names: "x86_64", "x86", "x32" */
	size_t n_arches;
	unsigned flags;       /* CTR_SCMP_FLAG_* */
	struct ctr_scmp_rule *rules;
	size_t n_rules;
};

/* The native architecture's names: Docker's ("amd64") and libseccomp's. */
extern const char ctr_seccomp_native_docker_arch[];
extern const char ctr_seccomp_native_arch[];

/* Parses a profile. what prefixes errors ("seccomp profile `x.json`",
 * "config.json: linux.seccomp"). oci: the OCI dialect (refuses
 * listenerPath; no includes/excludes/archMap). SCMP_ACT_NOTIFY is refused
 * in both. *out is malloc'd, ctr_seccomp_free() releases it. */
int ctr_seccomp_from_json(const cJSON *doc, const char *what, bool oci,
			  struct ctr_seccomp_profile **out, struct isolab_error *err);

/* The default profile (seccomp_default.c), unresolved. */
int ctr_seccomp_default(struct ctr_seccomp_profile **out);

/* Drops the rules whose conditions do not hold for a container with the
 * bounding set caps on a kernel "major.minor" = kernel (major << 16 | minor). */
void ctr_seccomp_resolve(struct ctr_seccomp_profile *p, uint64_t caps, unsigned kernel);

/* "6.1.0-18-amd64" -> 6 << 16 | 1. */
unsigned ctr_seccomp_kernel_version(const char *release);

/* The action a resolved profile gives syscall name with these argument
 * values (a model of the filter, for tests and --help): the first rule
 * naming it whose conditions hold, else the default. */
enum ctr_scmp_action ctr_seccomp_decide(const struct ctr_seccomp_profile *p, const char *name,
					const uint64_t args[CTR_SCMP_MAX_ARGS], int *errno_ret);

/* Conditions on one argument index twice are alternatives (any may hold,
 * runc adds one rule each); otherwise all must hold. */
bool ctr_seccomp_args_are_alternatives(const struct ctr_scmp_rule *r);

void ctr_seccomp_free(struct ctr_seccomp_profile *p);

/* Thin layer (seccomp_load.c). Reads a Docker-format profile file. */
int ctr_seccomp_read_file(const char *path, struct ctr_seccomp_profile **out,
			  struct isolab_error *err);

/* The profile a container gets, resolved (ctr_seccomp_resolve with its
 * capabilities and this kernel) into cfg->seccomp: its own, else the
 * default; NULL when unconfined. */
struct ctr_config;
int ctr_seccomp_prepare(struct ctr_config *cfg, struct isolab_error *err);

/* Builds the filter with libseccomp and loads
 * it into the calling thread. With no_new_privs false the caller must
 * still hold CAP_SYS_ADMIN. */
int ctr_seccomp_load(const struct ctr_seccomp_profile *p, bool no_new_privs,
		     struct isolab_error *err);

#endif
