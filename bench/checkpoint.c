/* checkpoint.c: a run's progress, written as it goes and resumed (see checkpoint.h). */
#include "bench/checkpoint.h"
#include "bench/results.h"
#include "bench/systems.h"
#include "common/jsonfile.h"

#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

cJSON *bench_progress_add(cJSON *doc)
{
	cJSON *p = cJSON_AddObjectToObject(doc, "progress");

	cJSON_AddBoolToObject(p, "complete", false);
	cJSON_AddArrayToObject(p, "done");
	cJSON_AddArrayToObject(p, "failed");
	cJSON_AddArrayToObject(p, "resumes");
	return p;
}

static cJSON *array_of(cJSON *obj, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsArray(a)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		a = cJSON_AddArrayToObject(obj, key);
	}
	return a;
}

enum bench_unit_state bench_unit_state(const cJSON *progress, const char *unit)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(progress, "done"))
		if (cJSON_IsString(v) && strcmp(v->valuestring, unit) == 0)
			return BENCH_UNIT_DONE;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(progress, "failed")) {
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(v, "unit");

		if (cJSON_IsString(u) && strcmp(u->valuestring, unit) == 0)
			return BENCH_UNIT_FAILED;
	}
	return BENCH_UNIT_TODO;
}

void bench_unit_clear_running(cJSON *progress)
{
	cJSON_DeleteItemFromObjectCaseSensitive(progress, "running");
}

void bench_unit_mark_running(cJSON *progress, const char *unit)
{
	bench_unit_clear_running(progress);
	cJSON_AddStringToObject(progress, "running", unit);
}

void bench_unit_mark_done(cJSON *progress, const char *unit)
{
	bench_unit_clear_running(progress);
	cJSON_AddItemToArray(array_of(progress, "done"), cJSON_CreateString(unit));
}

void bench_unit_mark_failed(cJSON *progress, const char *unit, const char *reason)
{
	cJSON *f = cJSON_CreateObject();

	bench_unit_clear_running(progress);
	cJSON_AddStringToObject(f, "unit", unit);
	cJSON_AddStringToObject(f, "reason", reason);
	cJSON_AddItemToArray(array_of(progress, "failed"), f);
}

cJSON *bench_entry_by_name(const cJSON *array, const char *name)
{
	cJSON *e;

	cJSON_ArrayForEach(e, array) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");

		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return e;
	}
	return NULL;
}

/* suites.SUITE.systems[name], created (name only) when missing. */
static cJSON *suite_entry(cJSON *doc, const char *suite, const char *name)
{
	cJSON *suites = cJSON_GetObjectItemCaseSensitive(doc, "suites"), *s, *systems, *e;

	if (!cJSON_IsObject(suites))
		suites = cJSON_AddObjectToObject(doc, "suites");
	s = cJSON_GetObjectItemCaseSensitive(suites, suite);
	if (!cJSON_IsObject(s))
		s = cJSON_AddObjectToObject(suites, suite);
	systems = array_of(s, "systems");
	e = bench_entry_by_name(systems, name);
	if (e == NULL) {
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", name);
		cJSON_AddItemToArray(systems, e);
	}
	return e;
}

void bench_record_failed_unit(cJSON *doc, const char *unit, const char *reason)
{
	char buf[512], *part[5] = { NULL }, *save = NULL, *p;
	int n = 0;
	cJSON *e;

	snprintf(buf, sizeof(buf), "%s", unit);
	for (p = strtok_r(buf, "/", &save); p != NULL && n < 5; p = strtok_r(NULL, "/", &save))
		part[n++] = p;
	if (n == 3 && strcmp(part[0], "startup") == 0) {
		e = suite_entry(doc, "startup", part[2]);
		bench_set_number(e, "failures", bench_json_number(e, "failures", 0) + 1);
		bench_set_string(e, "last_error", reason);
	} else if (n == 2 && strcmp(part[0], "memory") == 0) {
		e = suite_entry(doc, "memory", part[1]);
		bench_set_string(e, "error", reason);
	} else if (n == 4 && strcmp(part[0], "memory") == 0 && strcmp(part[2], "density") == 0) {
		cJSON *point = cJSON_CreateObject();
		char note[600];

		e = suite_entry(doc, "memory", part[1]);
		cJSON_AddNumberToObject(point, "instances", strtod(part[3], NULL));
		cJSON_AddBoolToObject(point, "ok", false);
		cJSON_AddStringToObject(point, "error", reason);
		cJSON_AddItemToArray(array_of(e, "density"), point);
		snprintf(note, sizeof(note), "stopped: the point of %s instances failed: %s", part[3],
			 reason);
		bench_set_string(e, "density_note", note);
	} else if (n == 3 && strcmp(part[0], "build") == 0 && strcmp(part[1], "first") == 0) {
		char note[600];

		e = suite_entry(doc, "build", part[2]);
		snprintf(note, sizeof(note), "the first (uncached) build failed: %s", reason);
		cJSON_DeleteItemFromObjectCaseSensitive(e, "available");
		cJSON_AddFalseToObject(e, "available");
		bench_set_string(e, "note", note);
	} else if (n == 3 && strcmp(part[0], "build") == 0) {
		e = suite_entry(doc, "build", part[2]);
		bench_set_number(e, "failures", bench_json_number(e, "failures", 0) + 1);
		bench_set_string(e, "last_error", reason);
	} else if (n == 3 && (strcmp(part[0], "lifecycle") == 0 || strcmp(part[0], "syscall") == 0 ||
			      strcmp(part[0], "network") == 0)) {
		e = suite_entry(doc, part[0], part[2]);
		bench_set_number(e, "failures", bench_json_number(e, "failures", 0) + 1);
		bench_set_string(e, "last_error", reason);
	} else if (n == 2 && strcmp(part[0], "syscall") == 0) {
		/* a results file from before the syscall suite had rounds */
		e = suite_entry(doc, "syscall", part[1]);
		cJSON_DeleteItemFromObjectCaseSensitive(e, "available");
		cJSON_AddFalseToObject(e, "available");
		bench_set_string(e, "note", reason);
	}
}

const char *bench_progress_resume(cJSON *doc, const char *reason, double now)
{
	cJSON *progress = cJSON_GetObjectItemCaseSensitive(doc, "progress");
	const cJSON *running = cJSON_GetObjectItemCaseSensitive(progress, "running");
	cJSON *log = cJSON_CreateObject(), *failed;
	char unit[512];

	cJSON_AddNumberToObject(log, "time", now);
	cJSON_AddStringToObject(log, "reason", reason);
	cJSON_AddItemToArray(array_of(progress, "resumes"), log);
	if (!cJSON_IsString(running))
		return NULL;
	snprintf(unit, sizeof(unit), "%s", running->valuestring);
	cJSON_AddStringToObject(log, "failed_unit", unit);
	bench_unit_mark_failed(progress, unit, reason);
	bench_record_failed_unit(doc, unit, reason);
	failed = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(progress, "failed"),
				    bench_progress_failed_count(doc) - 1);
	return cJSON_GetObjectItemCaseSensitive(failed, "unit")->valuestring;
}

int bench_progress_failed_count(const cJSON *doc)
{
	const cJSON *progress = cJSON_GetObjectItemCaseSensitive(doc, "progress");

	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(progress, "failed"));
}

int bench_checkpoint_write(struct bench_checkpoint *cp, struct isolab_error *err)
{
	int rc = isolab_json_write_atomic(cp->path, cp->doc, err);

	return rc < 0 ? isolab_error_wrap(err, "checkpoint") : 0;
}

bool bench_unit_skip(const struct bench_ctx *ctx, const char *unit)
{
	return bench_unit_state(ctx->checkpoint->progress, unit) != BENCH_UNIT_TODO;
}

int bench_unit_begin(struct bench_ctx *ctx, const char *unit, struct isolab_error *err)
{
	bench_unit_mark_running(ctx->checkpoint->progress, unit);
	return bench_checkpoint_write(ctx->checkpoint, err);
}

int bench_unit_end(struct bench_ctx *ctx, const char *unit, struct isolab_error *err)
{
	bench_unit_mark_done(ctx->checkpoint->progress, unit);
	return bench_checkpoint_write(ctx->checkpoint, err);
}

void bench_checkpoint_sweep(const char *path)
{
	char copy[4096], dir[4096], prefix[4096];
	size_t n;
	DIR *d;
	const struct dirent *e;

	snprintf(copy, sizeof(copy), "%s", path);
	n = (size_t)snprintf(prefix, sizeof(prefix), "%s.tmp.", basename(copy));
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(dir, sizeof(dir), "%s", dirname(copy));
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char proc[64], victim[8300];
		long pid;

		if (strncmp(e->d_name, prefix, n) != 0)
			continue;
		pid = strtol(e->d_name + n, NULL, 10);
		snprintf(proc, sizeof(proc), "/proc/%ld", pid);
		if (pid > 0 && pid != (long)getpid() && access(proc, F_OK) == 0)
			continue; /* a live writer's */
		snprintf(victim, sizeof(victim), "%s/%s", dir, e->d_name);
		unlink(victim);
	}
	closedir(d);
}
