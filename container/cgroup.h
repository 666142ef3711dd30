/*
 * cgroup.h: one cgroup per container, on cgroup v2 (unified), v1 (legacy)
 * and hybrid hosts.
 *
 * The pure half decides the mode from filesystem magic numbers (as crun's
 * libcrun_get_cgroup_mode does with statfs on /sys/fs/cgroup) and computes
 * the paths and the (file, value) writes for memory, CPU and pids limits;
 * the thin half does the mkdir/write/rmdir. The device rules written into
 * the v1 devices cgroup or attached to the v2 one are devices.h's.
 *
 * Files (Documentation/admin-guide/cgroup-v2.rst; cgroup-v1/memory.rst,
 * scheduler/sched-bwc.rst, cgroup-v1/pids.rst):
 *   v2: memory.max, memory.swap.max, cpu.max ("QUOTA PERIOD"), pids.max,
 *       memory.peak, memory.current, memory.events (oom_kill N)
 *   v2 and v1: cpuset.cpus, cpuset.mems (cgroup-v1/cpusets.rst: a new v1
 *       cpuset cgroup starts empty, and takes its parent's before a task
 *       may join; v2: empty means the parent's)
 *   v1: memory.limit_in_bytes, memory.memsw.limit_in_bytes,
 *       cpu.cfs_quota_us, cpu.cfs_period_us, pids.max,
 *       memory.max_usage_in_bytes, memory.oom_control (oom_kill N)
 */
#ifndef ISOLAB_CONTAINER_CGROUP_H
#define ISOLAB_CONTAINER_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/config.h"

#define CTR_CGROUP_ROOT "/sys/fs/cgroup"
#define CTR_CGROUP_DEFAULT_PARENT "isolab-ctr"

/* include/uapi/linux/magic.h */
#define CTR_CGROUP2_SUPER_MAGIC 0x63677270
#define CTR_TMPFS_MAGIC 0x01021994

enum ctr_cgroup_mode {
	CTR_CGROUP_V1,     /* legacy: one hierarchy per controller */
	CTR_CGROUP_HYBRID, /* v1 controllers plus an empty v2 at .../unified */
	CTR_CGROUP_V2,     /* unified */
};

/* The v1 controllers isolab uses, in this order (devices: devices.h).
 * The freezer is made only by `pause` (ctr_cgroup_freeze), never by run;
 * blkio only for linux.resources.blockIO; cpuset only for cpu.cpus/mems. */
enum ctr_cgroup_v1_ctrl {
	CTR_V1_MEMORY, CTR_V1_CPU, CTR_V1_PIDS, CTR_V1_DEVICES, CTR_V1_FREEZER, CTR_V1_BLKIO,
	CTR_V1_CPUSET, CTR_V1_COUNT
};
extern const char *const ctr_cgroup_v1_names[CTR_V1_COUNT];

/* Mode from the statfs f_type of /sys/fs/cgroup and of .../unified
 * (unified_magic 0 when that does not exist). */
int ctr_cgroup_mode_from_magic(long root_magic, long unified_magic,
			       enum ctr_cgroup_mode *mode, struct isolab_error *err);
const char *ctr_cgroup_mode_name(enum ctr_cgroup_mode mode);

#define CTR_CGROUP_MAX_WRITES 8
struct ctr_cgroup_write {
	int controller;     /* enum ctr_cgroup_v1_ctrl (also used to group v2) */
	const char *file;   /* e.g. "cpu.max" */
	char value[48];
	bool optional;      /* absent file (e.g. swap accounting off) is fine */
};

/* The limit writes for cfg, in order. Returns their number. */
int ctr_cgroup_plan_writes(const struct ctr_config *cfg, enum ctr_cgroup_mode mode,
			   struct ctr_cgroup_write out[CTR_CGROUP_MAX_WRITES]);

/* linux.resources.blockIO's writes (config-linux.md "Block IO"): for
 * i = 0 the weight (v1 blkio.weight W; v2 io.weight "default W'" with
 * runc's mapping of 10..1000 onto 1..10000), then one per throttle (v1
 * blkio.throttle.read_bps_device "MAJ:MIN RATE"; v2 io.max "MAJ:MIN
 * rbps=RATE", wbps, riops, wiops). 0 and the write in *w, or -ENOENT past
 * the last (the weight's slot is skipped when none is set: -EAGAIN). Pure. */
int ctr_cgroup_blkio_write(const struct ctr_config *cfg, enum ctr_cgroup_mode mode, size_t i,
			   struct ctr_cgroup_write *w);

/* 0 when text is a CPU or memory node list as cpuset.cpus takes it
 * ("0-3,5": numbers and ascending ranges, comma-separated, no spaces),
 * else -EINVAL. Whether the host has them is the kernel's to say. Pure. */
int ctr_cgroup_cpuset_list_check(const char *text);

/* The cgroup parent cfg asks for: --cgroup-parent, else isolab-ctr. */
const char *ctr_cgroup_parent(const struct ctr_config *cfg);

/*
 * Where the container's cgroup is: one path, the same in every hierarchy,
 * relative to the hierarchy's root, "/a/b/leaf" (runtime-spec
 * config-linux.md "Cgroups Path"):
 *   linux.cgroupsPath absolute: that path under each hierarchy's root
 *     (containerd's "/default/<id>", podman's "/libpod_parent/libpod-<id>");
 *   relative: under the parent of the runtime's own cgroup, as runc's v2
 *     driver does; that cgroup is read from the unified ("0::") line of
 *     /proc/self/cgroup (v2 and hybrid; a pure v1 host has none: the
 *     root). runc's v1 driver resolves each hierarchy against its own
 *     cgroup there; isolab-ctr keeps one path for all;
 *   unset: "/<--cgroup-parent or isolab-ctr>/<id>".
 * Empty and "." components are dropped; ".." anywhere, systemd's
 * "slice:prefix:name" (no systemd driver here) and a path that names the
 * root itself are refused.
 */
/* NULL when path is an acceptable linux.cgroupsPath, else why not. Pure. */
const char *ctr_cgroup_path_problem(const char *path);
/* The resolved path into out. self_cgroup: the text of /proc/self/cgroup,
 * read only for a relative cgroups_path (may be NULL otherwise). -EINVAL
 * ("linux.cgroupsPath `P`: why") or -ENAMETOOLONG. Pure. */
int ctr_cgroup_resolve(const char *cgroups_path, const char *parent, const char *id,
		       const char *self_cgroup, char *out, size_t len, struct isolab_error *err);

/* "<root><path>" (v2) or "<root>/<controller><path>" (v1); path as
 * ctr_cgroup_resolve makes it. */
int ctr_cgroup_path(char *buf, size_t len, const char *root, enum ctr_cgroup_mode mode,
		    int controller, const char *path);

/* The value of "KEY N" in a flat-keyed file such as memory.events. */
int ctr_cgroup_parse_key(const char *text, const char *key, uint64_t *value);

struct ctr_cgroup {
	enum ctr_cgroup_mode mode;
	char rel[PATH_MAX];                /* ctr_cgroup_resolve's path */
	char path[CTR_V1_COUNT][PATH_MAX]; /* v2 uses path[0] only */
	bool created[CTR_V1_COUNT];
	int dirfd;                         /* v2: for CLONE_INTO_CGROUP; else -1 */
	bool has_peak;                     /* v2 memory.peak exists */
	uint64_t sampled_peak;
};

struct ctr_cgroup_stats {
	uint64_t memory_peak;
	const char *peak_source;
	bool oom_killed;
	uint64_t oom_kills;
};

int ctr_cgroup_detect(enum ctr_cgroup_mode *mode, struct isolab_error *err);
/* cg->rel for cfg (ctr_cgroup_resolve, reading /proc/self/cgroup when
 * linux.cgroupsPath is relative). */
int ctr_cgroup_locate(struct ctr_cgroup *cg, const struct ctr_config *cfg,
		      struct isolab_error *err);
/* Creates the container's cgroup(s) at cg->rel (ctr_cgroup_locate) and
 * writes the limits; on failure nothing is left behind. */
int ctr_cgroup_create(struct ctr_cgroup *cg, const struct ctr_config *cfg,
		      struct isolab_error *err);
/* Moves pid in (v1, or v2 when CLONE_INTO_CGROUP was not used). */
int ctr_cgroup_attach(struct ctr_cgroup *cg, pid_t pid, struct isolab_error *err);
void ctr_cgroup_sample(struct ctr_cgroup *cg);
void ctr_cgroup_read_stats(struct ctr_cgroup *cg, struct ctr_cgroup_stats *st);
/* Kills what is left inside and removes the cgroup(s). */
int ctr_cgroup_destroy(struct ctr_cgroup *cg, struct isolab_error *err);
/* The cgroup(s) of a container made by an earlier process (`create`):
 * paths for rel (ctr_cgroup_resolve's), created[] set for the directories
 * that exist. -ENOENT ("container `id`: no cgroup") when none does. */
int ctr_cgroup_reopen(struct ctr_cgroup *cg, enum ctr_cgroup_mode mode, const char *rel,
		      const char *id, struct isolab_error *err);
/* The pids in the container's cgroup (v2, else the v1 memory one): up to
 * max of them into pids; returns how many, or -errno. */
int ctr_cgroup_pids(const struct ctr_cgroup *cg, int *pids, int max, struct isolab_error *err);
/* Freezes (pause) or thaws (resume) every process of the container and
 * waits until the kernel says so: v2 cgroup.freeze; v1 the freezer
 * hierarchy, whose cgroup the first pause makes (the processes moved in).
 * cgroup-v2.rst "Core Interface Files"; cgroup-v1/freezer-subsystem.rst. */
int ctr_cgroup_freeze(struct ctr_cgroup *cg, bool freeze, struct isolab_error *err);
/* Whether the container is frozen (or freezing). */
bool ctr_cgroup_frozen(const struct ctr_cgroup *cg);
/* For a container whose runtime died: removes its cgroup rel in every
 * hierarchy the runtime uses (absent ones are fine). Kills nothing: a
 * cgroup that still has processes stays (-EBUSY, named in err). */
int ctr_cgroup_remove_stale(enum ctr_cgroup_mode mode, const char *rel,
			    struct isolab_error *err);

#endif
