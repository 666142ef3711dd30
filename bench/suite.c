/* suite.c: what every suite shares: system entries and the loop over systems (see suites.h). */
#include "bench/launch.h"
#include "bench/results.h"
#include "bench/rounds.h"
#include "bench/spawn.h"
#include "bench/suites.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

cJSON *bench_system_entry(struct bench_ctx *ctx, const struct bench_system *sys)
{
	cJSON *e = cJSON_CreateObject();
	bool ok = bench_system_usable(ctx, sys);

	cJSON_AddStringToObject(e, "name", sys->name);
	cJSON_AddStringToObject(e, "kind", bench_kind_name(sys->kind));
	cJSON_AddBoolToObject(e, "available", ok);
	cJSON_AddStringToObject(e, "note", ok ? "" : bench_system_note(ctx, sys));
	return e;
}

cJSON *bench_suite_entry(struct bench_ctx *ctx, cJSON *suite, const struct bench_system *sys)
{
	cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems");
	cJSON *e;

	if (!cJSON_IsArray(systems))
		systems = cJSON_AddArrayToObject(suite, "systems");
	e = bench_entry_by_name(systems, sys->name);
	if (e == NULL) {
		e = bench_system_entry(ctx, sys);
		cJSON_AddItemToArray(systems, e);
	} else if (cJSON_GetObjectItemCaseSensitive(e, "available") == NULL) {
		/* made by bench_record_failed_unit: keep what it says, add the head */
		cJSON *head = bench_system_entry(ctx, sys), *item;

		cJSON_ArrayForEach(item, head)
			if (cJSON_GetObjectItemCaseSensitive(e, item->string) == NULL)
				cJSON_AddItemToObject(e, item->string, cJSON_Duplicate(item, 1));
		cJSON_Delete(head);
	}
	return e;
}

void bench_entry_set_unavailable(cJSON *entry, const char *note)
{
	cJSON_DeleteItemFromObjectCaseSensitive(entry, "available");
	cJSON_AddFalseToObject(entry, "available");
	bench_set_string(entry, "note", note);
}

cJSON *bench_suite_round_entry(struct bench_ctx *ctx, cJSON *suite,
			       const struct bench_system *sys)
{
	cJSON *entry = bench_suite_entry(ctx, suite, sys);

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "available")))
		return NULL;
	if (cJSON_GetObjectItemCaseSensitive(entry, "failures") == NULL)
		cJSON_AddNumberToObject(entry, "failures", 0);
	if (cJSON_GetObjectItemCaseSensitive(entry, "warmup") == NULL)
		cJSON_AddNumberToObject(entry, "warmup", 0);
	return entry;
}

cJSON *bench_suite_entry_named(cJSON *suite, const char *name, const char *kind, bool ok,
			       const char *note)
{
	cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems"), *e;

	if (!cJSON_IsArray(systems))
		systems = cJSON_AddArrayToObject(suite, "systems");
	e = bench_entry_by_name(systems, name);
	if (e == NULL) {
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", name);
		cJSON_AddItemToArray(systems, e);
	}
	if (cJSON_GetObjectItemCaseSensitive(e, "kind") == NULL)
		cJSON_AddStringToObject(e, "kind", kind);
	if (cJSON_GetObjectItemCaseSensitive(e, "available") == NULL) {
		cJSON_AddBoolToObject(e, "available", ok);
		cJSON_AddStringToObject(e, "note", ok ? "" : note);
	} else if (!ok) {
		bench_entry_set_unavailable(e, note);
	}
	return e;
}

int bench_suite_each(struct bench_ctx *ctx, cJSON *suite, const char *suite_name,
		     unsigned suite_bit, const char *const *names, size_t count,
		     bench_measure_fn measure, struct isolab_error *err)
{
	size_t k, total = names ? count : bench_system_count;
	int rc = 0;

	for (k = 0; k < total && rc == 0 && !bench_stop_requested; k++) {
		const struct bench_system *sys = names ? bench_system_find(names[k]) : &bench_systems[k];
		cJSON *entry;

		if (sys == NULL || !bench_system_selected(ctx, sys) ||
		    !bench_system_in_suite(sys, suite_bit) ||
		    (names == NULL && sys->variant_of != NULL))
			continue; /* variants: start-up suite only */
		bench_progress(ctx, suite_name, sys->name, (unsigned)k + 1, (unsigned)total);
		entry = bench_suite_entry(ctx, suite, sys);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "available")))
			rc = measure(ctx, sys, entry, err);
	}
	return bench_suite_end(ctx, rc, err);
}

int bench_suite_end(struct bench_ctx *ctx, int rc, struct isolab_error *err)
{
	bench_progress_done(ctx);
	if (rc == 0 && bench_stop_requested)
		rc = isolab_error_set(err, -EINTR, "interrupted");
	return rc;
}

/* The largest integer a JSON number (a double) holds exactly: 2^53 - 1. */
#define SEED_EXACT_MAX ((UINT64_C(1) << 53) - 1)

/* 53 random bits; from the clock and pid should getrandom fail (no entropy yet). */
static uint64_t random_seed(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		v = (uint64_t)ts.tv_nsec * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)ts.tv_sec ^
		    ((uint64_t)getpid() << 32);
	}
	return v & SEED_EXACT_MAX;
}

uint64_t bench_suite_seed(cJSON *suite, const struct bench_args *args)
{
	const cJSON *old = cJSON_GetObjectItemCaseSensitive(suite, "seed");
	uint64_t seed;

	if (cJSON_IsNumber(old) && old->valuedouble >= 0 && old->valuedouble <= (double)SEED_EXACT_MAX)
		return (uint64_t)old->valuedouble;
	if (cJSON_IsString(old))
		return strtoull(old->valuestring, NULL, 10);
	seed = args->seed_given ? (uint64_t)args->seed : random_seed();
	if (seed <= SEED_EXACT_MAX) {
		bench_set_number(suite, "seed", (double)seed);
	} else {
		char text[24];

		snprintf(text, sizeof(text), "%llu", (unsigned long long)seed);
		bench_set_string(suite, "seed", text); /* above 2^53: a double would round it */
	}
	bench_set_string(suite, "seed_from", args->seed_given ? "option" : "random");
	return seed;
}

void bench_count_warmup(cJSON *entry)
{
	bench_set_number(entry, "warmup", bench_json_number(entry, "warmup", 0) + 1);
}

static void unit_name(char *buf, size_t size, const struct bench_rounds *plan, unsigned run,
		      size_t i)
{
	snprintf(buf, size, "%s/%u/%s", plan->suite_name, run, plan->sys[i]->name);
}

bool bench_rounds_left(const struct bench_ctx *ctx, const struct bench_rounds *plan, size_t i)
{
	char unit[160];
	unsigned run;

	for (run = 1; run <= plan->runs; run++) {
		unit_name(unit, sizeof(unit), plan, run, i);
		if (!bench_unit_skip(ctx, unit))
			return true;
	}
	return false;
}

/* One unit: run `run` of system i, checkpointed before and after. */
static int rounds_unit(struct bench_ctx *ctx, const struct bench_rounds *plan, size_t i,
		       unsigned run, struct isolab_error *err)
{
	struct isolab_error e = { 0 };
	char unit[160];
	int rc;

	unit_name(unit, sizeof(unit), plan, run, i);
	if (bench_unit_skip(ctx, unit))
		return 0;
	rc = bench_unit_begin(ctx, unit, err);
	if (rc < 0)
		return rc;
	bench_progress(ctx, plan->suite_name, plan->sys[i]->name, run, plan->runs);
	rc = plan->run(ctx, plan, i, run, &e);
	if (bench_stop_requested)
		return isolab_error_set(err, -EINTR, "interrupted");
	if (rc < 0) {
		cJSON *entry = plan->entry[i];

		bench_set_number(entry, "failures", bench_json_number(entry, "failures", 0) + 1);
		bench_set_string(entry, "last_error", e.msg);
	}
	return bench_unit_end(ctx, unit, err);
}

/* suite["order"][round - 1] = the names in `order`, the array grown as needed. */
static void record_order(cJSON *suite, const struct bench_rounds *plan, unsigned round,
			 const size_t *order)
{
	cJSON *all = cJSON_GetObjectItemCaseSensitive(suite, "order"), *names;
	size_t k;

	if (!cJSON_IsArray(all)) {
		cJSON_DeleteItemFromObjectCaseSensitive(suite, "order");
		all = cJSON_AddArrayToObject(suite, "order");
	}
	while (cJSON_GetArraySize(all) < (int)round)
		cJSON_AddItemToArray(all, cJSON_CreateArray());
	names = cJSON_CreateArray();
	for (k = 0; k < plan->n; k++)
		cJSON_AddItemToArray(names, cJSON_CreateString(plan->sys[order[k]]->name));
	cJSON_ReplaceItemInArray(all, (int)round - 1, names);
}

/* Whether round `round` has a unit left to do. */
static bool round_left(const struct bench_ctx *ctx, const struct bench_rounds *plan,
		       unsigned round)
{
	unsigned first, count = bench_round_batch(plan->runs, plan->rounds, round, &first), j;
	char unit[160];
	size_t i;

	for (i = 0; i < plan->n; i++)
		for (j = 0; j < count; j++) {
			unit_name(unit, sizeof(unit), plan, first + j, i);
			if (!bench_unit_skip(ctx, unit))
				return true;
		}
	return false;
}

int bench_suite_rounds(struct bench_ctx *ctx, cJSON *suite, const struct bench_rounds *plan,
		       struct isolab_error *err)
{
	size_t order[BENCH_MAX_SYSTEMS], k;
	unsigned r, first, count, j;
	int rc = 0;

	bench_set_number(suite, "rounds", plan->rounds);
	for (r = 1; r <= plan->rounds && plan->n > 0 && rc == 0 && !bench_stop_requested; r++) {
		if (!round_left(ctx, plan, r))
			continue; /* a resumed run's: its recorded order stays */
		bench_round_order(plan->seed, r, plan->n, order);
		record_order(suite, plan, r, order);
		count = bench_round_batch(plan->runs, plan->rounds, r, &first);
		for (k = 0; k < plan->n && rc == 0 && !bench_stop_requested; k++)
			for (j = 0; j < count && rc == 0 && !bench_stop_requested; j++)
				rc = rounds_unit(ctx, plan, order[k], first + j, err);
	}
	if (rc == 0 && bench_stop_requested)
		rc = isolab_error_set(err, -EINTR, "interrupted");
	return rc;
}
