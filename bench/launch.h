/*
 * launch.h: one launch of the probe under one system, timed, with its
 * --stats file read back; the step every suite repeats.
 */
#ifndef ISOLAB_BENCH_LAUNCH_H
#define ISOLAB_BENCH_LAUNCH_H

#include <cjson/cJSON.h>
#include "bench/spawn.h"
#include "bench/systems.h"

struct bench_launch {
	const struct bench_system *sys;
	struct bench_cmd cmd;
	struct bench_child child;
	cJSON *stats;    /* the system's --stats document, if any */
	bool started;
};

/* Builds the command and starts it. */
int bench_launch_start(struct bench_ctx *ctx, const struct bench_system *sys,
		       const char *const *probe_args, bool stdin_pipe,
		       struct bench_launch *l, struct isolab_error *err);

/* Waits for a line containing needle; errors quote the output's tail. */
int bench_launch_wait(struct bench_ctx *ctx, struct bench_launch *l, const char *needle,
		      struct isolab_error *err);

/* Waits for the exit, checks the status, reads --stats. */
int bench_launch_end(struct bench_ctx *ctx, struct bench_launch *l, struct isolab_error *err);

/* Kills what is left, cleans the system's state, frees. */
void bench_launch_release(struct bench_ctx *ctx, struct bench_launch *l);

/*
 * Whether sys can be measured here: its check, then one untimed
 * `probe start` (also the warm-up that fills page caches). Cached in ctx.
 */
bool bench_system_usable(struct bench_ctx *ctx, const struct bench_system *sys);
const char *bench_system_note(const struct bench_ctx *ctx, const struct bench_system *sys);

/* Whether the user's --systems list includes sys. */
bool bench_system_selected(const struct bench_ctx *ctx, const struct bench_system *sys);

/* "[suite] system run i/n (elapsed)" on stderr; in place on a terminal. */
void bench_progress(const struct bench_ctx *ctx, const char *suite, const char *system,
		    unsigned i, unsigned n);
void bench_progress_done(const struct bench_ctx *ctx);

#endif
