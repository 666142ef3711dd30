/*
 * owner.h: which runtime owns a container id, and the sweep of what a
 * runtime killed with SIGKILL left behind (its cgroups, its state dir).
 *
 * Before it creates anything for a container, `isolab-ctr run` makes an
 * owner record, a symbolic link whose target is the record:
 *
 *     /run/isolab-ctr/.owners/<id> -> "4242 5201377 4026531836 isolab-ctr"
 *     /run/isolab-ctr/.owners/<id> -> "4242 5201377 4026531836 /libpod_parent/libpod-<id>"
 *
 * (under the state root: /run/isolab-ctr, or --root's directory)
 *
 * (the runtime's pid, its start time, its pid namespace, and where the
 * container's cgroup is in every hierarchy, which may hold spaces:
 * relative, the parent of a cgroup named after the id, the form every
 * earlier version wrote; absolute, the whole path (cgroup.h, from a
 * linux.cgroupsPath whose last component is not the id). It removes the
 * record last, after the cgroups and the state dir.
 * symlink(2) creates the name and its content in one step and fails with
 * EEXIST when the name is taken, so the record also reserves the id, and
 * no reader ever sees half a record. Kept under 60 bytes (with the
 * default parent), the target fits in the inode itself where /run is
 * ext4 (Documentation/filesystems/ext4/inodes.rst, "fast symlinks"): no
 * data block to allocate, and none to free (and trim) at unlink.
 *
 * A record is stale when its runtime is gone: no process with that pid, a
 * zombie, or a process that started at another time (the pid was reused).
 * proc(5), /proc/PID/stat: field 3 is the state, field 22 the start time
 * in clock ticks after boot. A record made in another pid namespace, or
 * one this version cannot read, is never stale.
 *
 * Every `run` sweeps before it claims its own id (so does `isolab-ctr
 * sweep`): for each stale record, the container's cgroup in every
 * hierarchy is removed (a non-empty one keeps everything for a later
 * sweep, with a warning), then the state dir (lazily unmounted first),
 * then the record. A sweeper that found a stale record takes an flock(2)
 * on the records directory, so sweeps of one id never overlap, and the
 * stale record keeps its id reserved until its leftovers are gone.
 */
#ifndef ISOLAB_CONTAINER_OWNER_H
#define ISOLAB_CONTAINER_OWNER_H

#include <limits.h>
#include <stdbool.h>

#include "common/error.h"
#include "container/rootfs.h"

/* The records' directory, under the state root. */
#define CTR_OWNER_SUBDIR ".owners"

struct ctr_owner {
	int pid;
	unsigned long long start;  /* /proc/PID/stat field 22, clock ticks after boot */
	unsigned long long pidns;  /* inode of /proc/PID/ns/pid */
	char cgroup_path[PATH_MAX]; /* ctr_cgroup_resolve's "/a/b/leaf" */
};

/* ---- pure ---- */

/* The record's text (the symlink's target) for container id: the cgroup
 * as its parent when its leaf is id, else whole. -ENAMETOOLONG if it does
 * not fit. */
int ctr_owner_format(const struct ctr_owner *owner, const char *id, char *buf, size_t len);
/* Reads the record of container id; -EINVAL unless it is exactly in that
 * format. */
int ctr_owner_parse(const char *text, const char *id, struct ctr_owner *owner);
/* The state (field 3) and start time (field 22) from a /proc/PID/stat
 * line; field 2, the command name, may hold spaces and ')'. */
int ctr_proc_stat_parse(const char *text, char *state, unsigned long long *start);
/*
 * Whether the record's runtime is gone, given the sweeper's own pid
 * namespace and the text of /proc/PID/stat for the recorded pid (NULL
 * when there is no such process). Anything it cannot judge is not stale.
 */
bool ctr_owner_is_stale(const struct ctr_owner *owner, unsigned long long my_pidns,
			const char *proc_stat);

/* ---- system ---- */

/* Makes this runtime's record for id under state_root. -EEXIST
 * ("container `id` already exists") when the id has an owner, live or
 * not yet swept. */
int ctr_owner_claim(const char *state_root, const char *id, const char *cgroup_path,
		    struct isolab_error *err);
/* `create`: the record of id passes from this runtime, which is about to
 * exit, to the container's process pid (whose start time it reads): the
 * container owns its leftovers, and a sweep leaves them while it lives.
 * The new record replaces the old one with rename(2), so the id is never
 * free. Also returns pid's start time and pid namespace in *owner. */
int ctr_owner_transfer(const char *state_root, const char *id, int pid, const char *cgroup_path,
		       struct ctr_owner *owner, struct isolab_error *err);
/* Removes this runtime's record for id (after everything else is gone). */
int ctr_owner_release(const char *state_root, const char *id, struct isolab_error *err);

typedef void ctr_warn_fn(const char *message);
/*
 * Removes the leftovers of every stale record (see above). Never fails:
 * what it cannot remove stays, reported through warn (one message per
 * container). Returns the number of stale containers left in place.
 * A container `create` made (its state dir holds state.json, state.h)
 * whose process is gone is `stopped`, and stays for `delete` or `state`
 * as runc's do, unless stopped_too (`isolab-ctr sweep`); `run` and
 * `create` sweep without it.
 */
int ctr_owner_sweep(const char *state_root, ctr_warn_fn *warn, bool stopped_too);
/*
 * `delete --force ID` of an id with no saved state: the leftovers of a
 * `create` killed before it saved one (its record stale), processes in
 * its cgroups killed. Nothing when id has no record or a live owner.
 * Returns 1 when something had to be left (reported through warn), else 0.
 */
int ctr_owner_sweep_one(const char *state_root, const char *id, ctr_warn_fn *warn);

#endif
