/* suite.c: what every suite shares: system entries and the loop over systems (see suites.h). */
#include "bench/launch.h"
#include "bench/results.h"
#include "bench/spawn.h"
#include "bench/suites.h"

#include <errno.h>
#include <string.h>

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
		     const char *const *names, size_t count, bench_measure_fn measure,
		     struct isolab_error *err)
{
	size_t k, total = names ? count : bench_system_count;
	int rc = 0;

	for (k = 0; k < total && rc == 0 && !bench_stop_requested; k++) {
		const struct bench_system *sys = names ? bench_system_find(names[k]) : &bench_systems[k];
		cJSON *entry;

		if (sys == NULL || !bench_system_selected(ctx, sys) ||
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
