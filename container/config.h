/*
 * config.h: the one description of a container that both front ends fill:
 * the command line (args.c) and an OCI bundle's config.json (oci.c). Once
 * loaded (cmd_run.c: the defaults below, the layers resolved, the seccomp
 * program prepared), the runtime (run.c and the modules it calls) only
 * ever reads this struct: it gets a const pointer.
 *
 * Every string is heap-allocated and owned by the struct;
 * ctr_config_free() releases it all.
 */
#ifndef ISOLAB_CONTAINER_CONFIG_H
#define ISOLAB_CONTAINER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/devices.h"

struct ctr_seccomp_profile;

#define CTR_MAX_IDMAPS 5
#define CTR_NAME_MAX 64              /* container name, bytes */
#define CTR_MEMORY_MIN (6ull << 20)  /* as Docker: below 6 MiB nothing starts */
/* Default bounds, each lifted with 0 or `unlimited`: podman's default
 * pids limit (containers.conf pids_limit = 2048; Docker has none but
 * advises one), and a size for the writable layer's tmpfs (else half the
 * host's RAM, bounded only by --memory). */
#define CTR_DEFAULT_PIDS 2048
#define CTR_DEFAULT_LAYER_SIZE (1ull << 30) /* user_namespaces(7): at most 5 lines before 4.15 */

/* A mount inside the container, in the order it is made. */
struct ctr_mount {
	char *source;        /* host path for binds, else the fs source name */
	char *destination;   /* absolute path inside the container */
	char *type;          /* "bind", "proc", "tmpfs", "sysfs", ... */
	unsigned long flags; /* MS_* flags from the options */
	unsigned long propagation; /* MS_PRIVATE, MS_SLAVE, ... or 0 */
	char *data;          /* fs-specific options ("size=64k,mode=755") */
};

struct ctr_idmap {
	uint32_t inside, outside, count;
};

struct ctr_rlimit {
	int resource;
	uint64_t soft, hard;
};

/* Capability sets as bit masks (bit N = capability N, see capability.h). */
struct ctr_caps {
	uint64_t bounding, effective, permitted, inheritable, ambient;
	bool all; /* --cap-add ALL: every capability the runtime itself holds */
};

/* linux.sysctl: one /proc/sys write in the container's namespaces. */
struct ctr_sysctl {
	char *key;   /* "net.ipv4.ping_group_range" */
	char *value;
};

/* hooks (runtime-spec config.md "POSIX-platform Hooks"), hooks.h. */
enum ctr_hook_kind {
	CTR_HOOK_PRESTART, CTR_HOOK_CREATE_RUNTIME, CTR_HOOK_CREATE_CONTAINER,
	CTR_HOOK_START_CONTAINER, CTR_HOOK_POSTSTART, CTR_HOOK_POSTSTOP, CTR_HOOK_KINDS
};

struct ctr_hook {
	char *path;   /* absolute */
	char **args;  /* NULL-terminated; none: just the path */
	size_t n_args;
	char **env;   /* NULL-terminated */
	size_t n_env;
	int timeout;  /* seconds; 0: none */
};

/* linux.resources.blockIO throttles: "MAJOR:MINOR VALUE" lines. */
enum ctr_blkio_throttle {
	CTR_BLKIO_READ_BPS, CTR_BLKIO_WRITE_BPS, CTR_BLKIO_READ_IOPS, CTR_BLKIO_WRITE_IOPS,
	CTR_BLKIO_THROTTLES
};

struct ctr_blkio_limit {
	enum ctr_blkio_throttle kind;
	unsigned major, minor;
	uint64_t rate;
};

struct ctr_config {
	char *id;             /* unique; names the state dir and the cgroup */
	char *hostname;       /* NULL: keep the id */

	char **layers;        /* overlay lower dirs, lowest first */
	size_t n_layers;
	bool readonly_root;

	char **argv;          /* NULL-terminated */
	size_t argc;
	char **env;           /* NULL-terminated, "K=V" */
	size_t n_env;
	char *cwd;            /* absolute; NULL means "/" */
	uint32_t uid, gid;
	uint32_t *groups;     /* additional gids */
	size_t n_groups;
	bool no_new_privs;
	bool init;            /* a tiny init is PID 1 and runs the command */
	bool tty;             /* a pseudo-terminal of its own (-t, process.terminal) */
	struct ctr_caps caps;
	struct ctr_rlimit *rlimits;
	size_t n_rlimits;

	int namespaces;       /* CLONE_NEW* flags */
	char *netns_path;     /* a network namespace to join (--netns, or
	                         linux.namespaces "network" with a "path") */
	struct ctr_idmap uid_map[CTR_MAX_IDMAPS], gid_map[CTR_MAX_IDMAPS];
	size_t n_uid_map, n_gid_map;

	struct ctr_mount *mounts;
	size_t n_mounts;
	char **masked_paths;
	size_t n_masked;
	char **readonly_paths;
	size_t n_readonly;

	uint64_t memory_limit;   /* bytes; 0 = none */
	int64_t cpu_quota;       /* microseconds per period; 0 = none */
	uint64_t cpu_period;     /* microseconds */
	uint64_t cpu_shares;     /* linux.resources.cpu.shares; 0 = none */
	int64_t pids_limit;      /* 0 = none; default CTR_DEFAULT_PIDS */
	uint64_t layer_size;     /* writable layer's tmpfs size= in bytes; 0 = none */
	char *cgroup_parent;     /* relative to each hierarchy's root */
	char *cgroups_path;      /* linux.cgroupsPath; NULL: <cgroup_parent>/<id> (cgroup.h) */
	char *cpuset_cpus;       /* linux.resources.cpu.cpus ("0-1,3"); NULL: the parent's */
	char *cpuset_mems;       /* linux.resources.cpu.mems; NULL: the parent's */

	/* Security policy (devices.h, seccomp.h). */
	struct ctr_dev_rule *dev_rules; /* linux.resources.devices */
	size_t n_dev_rules;
	struct ctr_dev_node *dev_nodes; /* linux.devices */
	size_t n_dev_nodes;
	struct ctr_seccomp_profile *seccomp; /* NULL: the default profile */
	bool seccomp_unconfined;
	char *seccomp_path;   /* --security-opt seccomp=FILE, read by main.c */

	/* More of runtime-spec (oci.c; README "config.json fields"). */
	struct ctr_sysctl *sysctls; /* linux.sysctl, checked by ctr_sysctl_check */
	size_t n_sysctls;
	bool has_oom_score_adj;
	int oom_score_adj;          /* process.oomScoreAdj, -1000..1000 */
	int umask;                  /* process.user.umask; -1: 0022 */
	unsigned long rootfs_propagation; /* linux.rootfsPropagation; 0: MS_REC|MS_PRIVATE */
	unsigned short console_rows, console_cols; /* process.consoleSize; 0: none */
	long personality;           /* linux.personality; -1: leave it */
	struct ctr_hook *hooks[CTR_HOOK_KINDS];
	size_t n_hooks[CTR_HOOK_KINDS];
	char *hooks_json;           /* config.json's "hooks" as text, kept in the state dir */
	uint16_t blkio_weight;      /* linux.resources.blockIO.weight; 0: none */
	struct ctr_blkio_limit *blkio_limits;
	size_t n_blkio_limits;

	char *keep_layer;     /* save the writable layer here after exit */
	bool keep_devices;    /* --keep-devices: device nodes too (keep_policy.h) */
	char *stats_path;     /* write --stats JSON here */
	char *bundle;         /* OCI bundle dir, if any */
};

/* Docker's default capability set (moby/oci/caps/defaults.go), 14 caps:
 * 0x00000000a80425fb. */
uint64_t ctr_default_caps(void);

/* Docker's default masked and read-only /proc and /sys paths. */
extern const char *const ctr_default_masked_paths[];
extern const char *const ctr_default_readonly_paths[];

void ctr_config_init(struct ctr_config *cfg);
void ctr_config_free(struct ctr_config *cfg);

/* Appends a copy of s to a NULL-terminated string vector. */
int ctr_strv_push(char ***v, size_t *n, const char *s);

/* Adds a mount; options is an OCI-style option list (may be NULL). */
int ctr_config_add_mount(struct ctr_config *cfg, const char *source,
			 const char *destination, const char *type,
			 const char *const *options, size_t n_options,
			 struct isolab_error *err);

/* Adds the standard /proc, /dev, /dev/pts, /dev/shm, /sys mounts (what
 * `runc spec` writes, less /dev/mqueue and /sys/fs/cgroup), used by the
 * command line. */
int ctr_config_add_default_mounts(struct ctr_config *cfg, struct isolab_error *err);

/* The same, placed before the mounts cfg already has (the command line's
 * volumes, added while the options were read), so a volume can go under
 * /dev or /sys. Pure. */
int ctr_config_add_default_mounts_first(struct ctr_config *cfg, struct isolab_error *err);

/* Everything the command line (run without --bundle) adds to what its
 * options said: PATH (Docker's, exec_cmd.h) unless -e gave one, the
 * default mounts first, Docker's masked and read-only paths. Pure. */
int ctr_config_add_cli_defaults(struct ctr_config *cfg, struct isolab_error *err);

/*
 * Mount options ("ro", "nosuid", "rbind", "mode=755", ...) to MS_* flags,
 * propagation flags and a data string, as mount(8) reads them. Pure.
 * *data is malloc'd (possibly ""), to be freed by the caller.
 */
int ctr_parse_mount_options(const char *const *options, size_t n,
			    unsigned long *flags, unsigned long *propagation,
			    char **data, struct isolab_error *err);

/* The i-th option name ctr_parse_mount_options knows (flags, then
 * propagation); NULL past the last. For `features`. Pure. */
const char *ctr_mount_option_name(size_t i);

/* A container name as runc allows them (^[\w+-.]+$), 1 to CTR_NAME_MAX
 * bytes, not starting with a dot (no '/', no control character). Pure. */
bool ctr_name_valid(const char *name);

/* Refuses a soft limit above the hard one. Pure. */
int ctr_check_rlimit(const struct ctr_rlimit *rl, struct isolab_error *err);

/* Checks the config is complete and sane: argv, a layer, absolute paths,
 * the name, the memory minimum, the rlimits. */
int ctr_config_validate(const struct ctr_config *cfg, struct isolab_error *err);

#endif
