/*
 * state.h: a container made by `create` outlives the process that made it,
 * so what later commands need is saved in its state dir (runc's
 * /run/runc/<id>/state.json):
 *
 *     <state root>/<id>/state.json   this record, replaced atomically
 *     <state root>/<id>/exec.fifo    the container waits on it until `start`
 *
 * (the state dir is the container's tmpfs, rootfs.h; the lazy unmount of
 * `delete` or of a sweep takes both files with it).
 *
 * The status (runtime-spec runtime.md "State") is not stored but read from
 * the system each time, as runc does: `stopped` once the process is gone
 * (no such pid, a zombie, or a pid reused by a process that started at
 * another time: owner.h's rule), `paused` while its cgroup is frozen,
 * `created` while exec.fifo exists (the process waits on it), else
 * `running`.
 */
#ifndef ISOLAB_CONTAINER_STATE_H
#define ISOLAB_CONTAINER_STATE_H

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdbool.h>

#include "common/error.h"
#include "container/cgroup.h"
#include "container/config.h"

#define CTR_STATE_FILE "state.json"
#define CTR_EXEC_FIFO "exec.fifo"

enum ctr_status { CTR_STATUS_CREATED, CTR_STATUS_RUNNING, CTR_STATUS_PAUSED, CTR_STATUS_STOPPED };

struct ctr_saved {
	char id[CTR_NAME_MAX + 1];
	int pid;                    /* the container's process, in the creator's pid namespace */
	unsigned long long start;   /* its /proc/PID/stat field 22 */
	unsigned long long pidns;   /* inode of the pid namespace pid is a number in */
	char bundle[PATH_MAX];
	char rootfs[PATH_MAX];
	char created[64];           /* RFC 3339, UTC, nanoseconds */
	char cgroup_path[PATH_MAX]; /* ctr_cgroup_resolve's; state.json's cgroupPath (an
	                               older one's cgroupParent P: "/P/<id>") */
	enum ctr_cgroup_mode cgmode;
	cJSON *annotations;         /* config.json's, or NULL; ctr_saved_free */
};

/* ---- pure ---- */

const char *ctr_status_name(enum ctr_status status);
/* The rule above. */
enum ctr_status ctr_status_decide(bool alive, bool frozen, bool fifo_exists);

/* state.json's text (malloc'd; NULL when out of memory). */
char *ctr_saved_to_json(const struct ctr_saved *s);
/* Reads it back; -EINVAL naming the field that is missing or wrong. */
int ctr_saved_from_json(const char *text, struct ctr_saved *s, struct isolab_error *err);
void ctr_saved_free(struct ctr_saved *s);

/*
 * The runtime-spec state as runc prints it: ociVersion, id, pid (0 once
 * stopped), status, bundle, rootfs, created, owner, then annotations when
 * there are any. indent: as `runc state` (Go's two-space indentation, no
 * final newline), else on one line as in `runc list --format json`.
 * malloc'd, NULL when out of memory.
 */
char *ctr_saved_oci_state(const struct ctr_saved *s, enum ctr_status status, const char *owner,
			  bool indent);

/* A table as Go's text/tabwriter writes runc's (`runc list`: minimum
 * width 12, padding 3, spaces): cells row by row, ncols per row, every
 * column but the last padded to max(12, its longest cell + 3). malloc'd,
 * NULL when out of memory. */
char *ctr_table_format(const char *const *cells, size_t ncols, size_t nrows);

/* ---- system ---- */

/* "<root>/<id>/<file>"; -ENAMETOOLONG when it does not fit. */
int ctr_saved_path(char *buf, size_t len, const char *root, const char *id, const char *file);
/* Writes s into its state dir, atomically (no fsync: it is a tmpfs). */
int ctr_saved_write(const char *root, const struct ctr_saved *s, struct isolab_error *err);
/* Reads <root>/<id>/state.json; -ENOENT "container does not exist" (runc's
 * words) when there is none. */
int ctr_saved_read(const char *root, const char *id, struct ctr_saved *s,
		   struct isolab_error *err);
/* Whether the recorded process still runs (the pid, its start time). */
bool ctr_saved_alive(const struct ctr_saved *s);
/* The status now (above). */
enum ctr_status ctr_saved_status(const char *root, const struct ctr_saved *s);

#endif
