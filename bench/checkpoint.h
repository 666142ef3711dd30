/*
 * checkpoint.h: a run that is never lost.
 *
 * The results document is written to its file (atomically) before and
 * after every unit of work, so a harness that dies (inside the lab, L1
 * going down takes it along) keeps everything it measured before, and
 * `isolab-bench run --resume FILE` goes on from the next unit.
 *
 * Units, named by path:
 *   startup/ROUND/SYSTEM            one start-up run of one system
 *   memory/SYSTEM                   one instance held, measured
 *   memory/SYSTEM/density/N         one density point of N instances
 *   syscall/ROUND/SYSTEM            one syscall-suite run (probe ops) of one system
 *   build/first/BUILDER             a builder's base image and uncached build
 *   build/ROUND/BUILDER             one cached rebuild of one builder
 *   lifecycle/ROUND/RUNTIME         one create, start, wait, delete of one runtime
 *
 * The document's "progress" object:
 *   { "complete": false,
 *     "running": "memory/isolab-vmm/density/16",   (only while a unit runs)
 *     "done": ["startup/1/native", ...],
 *     "failed": [{"unit": "...", "reason": "..."}],
 *     "resumes": [{"time": T, "failed_unit": "...", "reason": "..."}] }
 *
 * A unit found "running" when a run is resumed did not end: the run died
 * during it. It is recorded as failed with the reason the caller gives
 * (bench/run.sh passes lab/run's last line), in the progress object and in
 * the suite's own data (bench_record_failed_unit), and never tried again.
 *
 * The functions over a document are pure (unit-tested); only
 * bench_checkpoint_write touches the file system.
 */
#ifndef ISOLAB_BENCH_CHECKPOINT_H
#define ISOLAB_BENCH_CHECKPOINT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

enum bench_unit_state { BENCH_UNIT_TODO, BENCH_UNIT_DONE, BENCH_UNIT_FAILED };

/* The run's document and the file it is checkpointed to. */
struct bench_checkpoint {
	cJSON *doc;       /* the whole results document (owned) */
	cJSON *progress;  /* doc's "progress" object */
	char path[4096];
};

/* Adds an empty "progress" object to doc (a new run); returns it. */
cJSON *bench_progress_add(cJSON *doc);

enum bench_unit_state bench_unit_state(const cJSON *progress, const char *unit);
void bench_unit_mark_running(cJSON *progress, const char *unit);
void bench_unit_mark_done(cJSON *progress, const char *unit);
void bench_unit_mark_failed(cJSON *progress, const char *unit, const char *reason);
/* A unit that ran but did not end (Ctrl-C): it goes back to "to do". */
void bench_unit_clear_running(cJSON *progress);

/*
 * A run taken up again: the unit left "running" (if any) becomes failed
 * with reason, in progress and in the suite's data; the resume is logged.
 * Returns the failed unit's name (inside doc) or NULL if none was running.
 */
const char *bench_progress_resume(cJSON *doc, const char *reason, double now);

/*
 * Writes a failed unit into the suite data the report reads: a start-up
 * failure of that system, a memory entry's "error", a density point with
 * "ok": false, a syscall run's failure, a builder made unavailable (its
 * first build), a rebuild failure or a lifecycle failure.
 */
void bench_record_failed_unit(cJSON *doc, const char *unit, const char *reason);

/* The number of failed units. */
int bench_progress_failed_count(const cJSON *doc);

/*
 * Removes PATH.tmp.PID files a writer killed mid-write left (their PID is
 * gone): what a checkpoint write of a SIGKILLed run can leave behind.
 */
void bench_checkpoint_sweep(const char *path);

/* Writes cp->doc to cp->path atomically. */
int bench_checkpoint_write(struct bench_checkpoint *cp, struct isolab_error *err);

/* The entry named name in an array of {"name": ...} objects, or NULL. */
cJSON *bench_entry_by_name(const cJSON *array, const char *name);

/*
 * What a suite calls around each unit (ctx->checkpoint):
 * bench_unit_skip: the unit is done or failed already (a resumed run);
 * bench_unit_begin: marks it running and writes the file;
 * bench_unit_end: marks it done and writes the file.
 */
struct bench_ctx;
bool bench_unit_skip(const struct bench_ctx *ctx, const char *unit);
int bench_unit_begin(struct bench_ctx *ctx, const char *unit, struct isolab_error *err);
int bench_unit_end(struct bench_ctx *ctx, const char *unit, struct isolab_error *err);

#endif
