/*
 * suites.h: the six suites. Each fills its part of the results document
 * ("suites": {"startup": ..., "memory": ..., "syscall": ..., "build": ...,
 * "lifecycle": ..., "network": ...}) unit by unit
 * (checkpoint.h), skipping the units a resumed run has already done, and
 * returns 0, or a negative code with err set when the run was interrupted
 * or its results file could not be written.
 * A system that cannot run here is listed with "available": false and a
 * note, never a failure of the suite.
 */
#ifndef ISOLAB_BENCH_SUITES_H
#define ISOLAB_BENCH_SUITES_H

#include <cjson/cJSON.h>
#include "bench/systems.h"

int bench_suite_startup(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);
int bench_suite_memory(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);
int bench_suite_syscall(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);
/* The builders of bench_builders, not the probe's systems: suite_build.c. */
int bench_suite_build(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);
/* The systems that are OCI runtimes, driven create, start, delete: suite_lifecycle.c. */
int bench_suite_lifecycle(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);

/* The network suite: the probe as a TCP server per environment, isolab-bench the client:
 * suite_network.c. */
int bench_suite_network(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err);

/* {"name", "kind", "available", "note"}: the common head of a system entry. */
cJSON *bench_system_entry(struct bench_ctx *ctx, const struct bench_system *sys);

/* suite's entry for sys: the one a resumed run already has, else a new one. */
cJSON *bench_suite_entry(struct bench_ctx *ctx, cJSON *suite, const struct bench_system *sys);
/* The same for a suite that runs sys in rounds: NULL when sys is not
 * available here, else its entry with "failures" and "warmup" counters. */
cJSON *bench_suite_round_entry(struct bench_ctx *ctx, cJSON *suite,
			       const struct bench_system *sys);

/*
 * suite's entry named name (the one a resumed run already has, else a new
 * one) with its head: kind, and "available"/"note" as ok and note say now
 * (an entry a resumed run has keeps its head unless it is unusable now).
 * For the suites whose units are not the probe's launches (build, lifecycle).
 */
cJSON *bench_suite_entry_named(cJSON *suite, const char *name, const char *kind, bool ok,
			       const char *note);

/* entry["available"] = false, entry["note"] = note. */
void bench_entry_set_unavailable(cJSON *entry, const char *note);

/*
 * For each selected system, in the order of names (count of them; NULL:
 * every system in bench_systems order): its entry in suite, then, if it is
 * available here, measure(). Stops at the first error. Ends as
 * bench_suite_end does.
 */
typedef int (*bench_measure_fn)(struct bench_ctx *ctx, const struct bench_system *sys,
				cJSON *entry, struct isolab_error *err);
int bench_suite_each(struct bench_ctx *ctx, cJSON *suite, const char *suite_name,
		     unsigned suite_bit, const char *const *names, size_t count,
		     bench_measure_fn measure, struct isolab_error *err);

/*
 * The suite's seed for its round orders: the one its results already hold
 * (a resumed run goes on with the same orders), else --seed, else 53 bits
 * from getrandom(2) (a JSON number holds them exactly); recorded as
 * suite["seed"], with "seed_from": "option" or "random".
 */
uint64_t bench_suite_seed(cJSON *suite, const struct bench_args *args);

/*
 * Interleaved rounds (rounds.h): for round r = 1..rounds, the n systems in
 * the order bench_round_order(seed, r) gives, each one batch of its runs;
 * each run one unit SUITE/RUN/NAME (checkpoint.h: skipped when a resumed
 * run has it, marked running, then done). A run that fails counts in its
 * entry's "failures" and "last_error". Records in suite "rounds" and
 * "order" (per round, the names in the order they ran). Returns 0, or
 * -EINTR / a checkpoint error.
 */
struct bench_rounds {
	const char *suite_name;                /* "startup": units startup/RUN/NAME */
	size_t n;
	const struct bench_system *sys[BENCH_MAX_SYSTEMS]; /* the systems taking part */
	cJSON *entry[BENCH_MAX_SYSTEMS];       /* their entries in the suite */
	unsigned runs;                         /* runs per system, numbered 1..runs */
	unsigned rounds;                       /* bench_rounds_for() */
	uint64_t seed;
	/* Run `run` of system i (its results into entry[i]); err says why it failed. */
	int (*run)(struct bench_ctx *ctx, const struct bench_rounds *plan, size_t i, unsigned run,
		   struct isolab_error *err);
	void *arg;                             /* the suite's own, for run() */
};
int bench_suite_rounds(struct bench_ctx *ctx, cJSON *suite, const struct bench_rounds *plan,
		       struct isolab_error *err);

/* Whether system i has a run left to do (not done nor failed in a resumed run). */
bool bench_rounds_left(const struct bench_ctx *ctx, const struct bench_rounds *plan, size_t i);

/* entry["warmup"] += 1: one run of it discarded before its timed runs. */
void bench_count_warmup(cJSON *entry);

/* A suite's last step: the progress line closed; -EINTR if a stop was asked. */
int bench_suite_end(struct bench_ctx *ctx, int rc, struct isolab_error *err);

#endif
