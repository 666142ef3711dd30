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
 * profile to runc. The result becomes a classic BPF program: the one
 * generated at build time when the resolved profile is one the build saw
 * (the default profile with the default capabilities: no cost at start),
 * else libseccomp's (seccomp_build.c, about 20 ms for the default
 * profile); seccomp_load.c loads it into the container's process.
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

struct sock_filter;

struct ctr_seccomp_profile {
	enum ctr_scmp_action default_action;
	int default_errno;
	char **arches;        /* libseccomp names: "x86_64", "x86", "x32" */
	size_t n_arches;
	unsigned flags;       /* CTR_SCMP_FLAG_* */
	struct ctr_scmp_rule *rules;
	size_t n_rules;
	/* The filter, once ctr_seccomp_prepare() made it: the precomputed
	 * table's, or libseccomp's in bpf_buf (malloc'd, freed with p). */
	const struct sock_filter *bpf;
	size_t bpf_len;
	struct sock_filter *bpf_buf;
};

/* A filter generated at build time (container/seccomp_gen.c writes
 * build/gen/container/seccomp_default_bpf.c): libseccomp's program for
 * the resolved profile whose ctr_seccomp_key() is key. */
struct ctr_seccomp_precomputed {
	const char *key;
	const struct sock_filter *insns;
	size_t len;
};
extern const struct ctr_seccomp_precomputed ctr_seccomp_precomputed[];
extern const size_t ctr_seccomp_n_precomputed;
/* The libseccomp version that generated them ("2.5.4"). */
extern const char ctr_seccomp_precomputed_libseccomp[];

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

/* The default profile resolved (ctr_seccomp_resolve) for caps and kernel;
 * -ENOMEM. */
int ctr_seccomp_default_for(uint64_t caps, unsigned kernel, struct ctr_seccomp_profile **out);

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

/* A text that names everything libseccomp's program depends on in a
 * resolved profile (actions, errnos, architectures, flags, each rule's
 * names and conditions, in order): two profiles with one key get one
 * program. *out is malloc'd; -ENOMEM. */
int ctr_seccomp_key(const struct ctr_seccomp_profile *p, char **out);

void ctr_seccomp_free(struct ctr_seccomp_profile *p);

/* For `features`, the i-th name (NULL past the last) of what a profile
 * may say: actions ("SCMP_ACT_ALLOW", ...; not SCMP_ACT_NOTIFY),
 * operators ("SCMP_CMP_EQ", ...), flags ("SECCOMP_FILTER_FLAG_LOG", ...)
 * and architectures ("SCMP_ARCH_X86_64", ...). Pure. */
const char *ctr_seccomp_action_name(size_t i);
const char *ctr_seccomp_operator_name(size_t i);
const char *ctr_seccomp_flag_name(size_t i);
const char *ctr_seccomp_arch_name(size_t i);

/* "2.5.4": the libseccomp this process runs with ("" if it cannot say). */
void ctr_seccomp_libseccomp_version(char *buf, size_t len);

/* libseccomp (seccomp_build.c): the program for a resolved profile, as
 * runc's libcontainer/seccomp/patchbpf builds it: unknown syscall names
 * are skipped (an older kernel or another architecture), conditions on
 * one argument index are alternatives (one rule each), on several
 * indexes all must hold (one rule). *insns is malloc'd. */
int ctr_seccomp_export(const struct ctr_seccomp_profile *p, struct sock_filter **insns,
		       size_t *len, struct isolab_error *err);

/* The build-time program for this resolved profile, or NULL (another
 * rule set, or libseccomp is not the version that generated them). */
const struct ctr_seccomp_precomputed *
ctr_seccomp_find_precomputed(const struct ctr_seccomp_profile *p);

/* Thin layer (seccomp_load.c). Reads a Docker-format profile file. */
int ctr_seccomp_read_file(const char *path, struct ctr_seccomp_profile **out,
			  struct isolab_error *err);

/* The profile a container gets, resolved (ctr_seccomp_resolve with its
 * capabilities and this kernel) into cfg->seccomp, with its program
 * (p->bpf): its own, else the default; NULL when unconfined. In the
 * runtime, before the clone, so a profile libseccomp refuses fails
 * before anything is made. */
struct ctr_config;
int ctr_seccomp_prepare(struct ctr_config *cfg, struct isolab_error *err);

/* Loads the prepared program into the calling thread
 * (seccomp(SECCOMP_SET_MODE_FILTER) with the profile's flags, as
 * libseccomp's seccomp_load does). Without no_new_privs set the caller
 * must still hold CAP_SYS_ADMIN. */
int ctr_seccomp_load(const struct ctr_seccomp_profile *p, struct isolab_error *err);

#endif
