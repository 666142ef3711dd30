/*
 * test_checkpoint.c: unit tests for a run that is never lost: the progress
 * record (units done, failed, running), what a resumed run records for the
 * unit it died in, the options a resumed run takes from its file, and
 * summaries grown one sample at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "bench/args.h"
#include "bench/checkpoint.h"
#include "bench/results.h"

/* A document as a run that died during `unit` leaves it. */
static cJSON *died_during(const char *unit)
{
	cJSON *doc = cJSON_CreateObject(), *progress = bench_progress_add(doc);
	cJSON *suites = cJSON_AddObjectToObject(doc, "suites");
	cJSON *startup = cJSON_AddObjectToObject(suites, "startup");
	cJSON *memory = cJSON_AddObjectToObject(suites, "memory");
	cJSON *syscall = cJSON_AddObjectToObject(suites, "syscall");
	cJSON *e;

	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "isolab-vmm");
	cJSON_AddBoolToObject(e, "available", true);
	cJSON_AddNumberToObject(e, "failures", 2);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(startup, "systems"), e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "isolab-vmm");
	cJSON_AddBoolToObject(e, "available", true);
	cJSON_AddArrayToObject(e, "density");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(memory, "systems"), e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "qemu-microvm");
	cJSON_AddBoolToObject(e, "available", true);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(syscall, "systems"), e);
	bench_unit_mark_running(progress, "startup/1/native");
	bench_unit_mark_done(progress, "startup/1/native");
	if (unit != NULL)
		bench_unit_mark_running(progress, unit);
	return doc;
}

static cJSON *entry_of(const cJSON *doc, const char *suite, const char *name)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "suites"),
							  suite);

	return bench_entry_by_name(cJSON_GetObjectItemCaseSensitive(s, "systems"), name);
}

static void units_move_from_running_to_done_or_failed(void **state)
{
	cJSON *doc = cJSON_CreateObject(), *p = bench_progress_add(doc);

	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "complete")));
	assert_int_equal(bench_unit_state(p, "memory/native"), BENCH_UNIT_TODO);
	bench_unit_mark_running(p, "memory/native");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(p, "running")->valuestring, "memory/native");
	assert_int_equal(bench_unit_state(p, "memory/native"), BENCH_UNIT_TODO);
	bench_unit_mark_done(p, "memory/native");
	assert_null(cJSON_GetObjectItemCaseSensitive(p, "running"));
	assert_int_equal(bench_unit_state(p, "memory/native"), BENCH_UNIT_DONE);
	/* a prefix or a longer name is another unit */
	assert_int_equal(bench_unit_state(p, "memory/nativ"), BENCH_UNIT_TODO);
	assert_int_equal(bench_unit_state(p, "memory/native/density/1"), BENCH_UNIT_TODO);
	bench_unit_mark_running(p, "memory/native/density/1");
	bench_unit_mark_failed(p, "memory/native/density/1", "boom");
	assert_int_equal(bench_unit_state(p, "memory/native/density/1"), BENCH_UNIT_FAILED);
	assert_null(cJSON_GetObjectItemCaseSensitive(p, "running"));
	assert_int_equal(bench_progress_failed_count(doc), 1);
	bench_unit_mark_running(p, "syscall/native");
	bench_unit_clear_running(p);
	assert_null(cJSON_GetObjectItemCaseSensitive(p, "running"));
	assert_int_equal(bench_unit_state(p, "syscall/native"), BENCH_UNIT_TODO);
	cJSON_Delete(doc);
}

static void resume_with_nothing_running_fails_nothing(void **state)
{
	cJSON *doc = died_during(NULL);
	const cJSON *resumes;

	assert_null(bench_progress_resume(doc, "lab died", 1000));
	assert_int_equal(bench_progress_failed_count(doc), 0);
	resumes = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "progress"),
						   "resumes");
	assert_int_equal(cJSON_GetArraySize(resumes), 1);
	assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(resumes, 0), "failed_unit"));
	cJSON_Delete(doc);
}

static void resume_fails_a_density_point_in_its_data(void **state)
{
	cJSON *doc = died_during("memory/isolab-vmm/density/16");
	const cJSON *e, *point;
	const char *failed = bench_progress_resume(doc, "lab/run: L1 died", 1000);

	assert_non_null(failed);
	assert_string_equal(failed, "memory/isolab-vmm/density/16");
	assert_int_equal(bench_unit_state(cJSON_GetObjectItemCaseSensitive(doc, "progress"), failed),
			 BENCH_UNIT_FAILED);
	e = entry_of(doc, "memory", "isolab-vmm");
	point = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(e, "density"), 0);
	assert_int_equal((int)bench_json_number(point, "instances", 0), 16);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(point, "ok")));
	assert_string_equal(bench_json_string(point, "error", ""), "lab/run: L1 died");
	assert_non_null(strstr(bench_json_string(e, "density_note", ""), "16 instances failed"));
	cJSON_Delete(doc);
}

static void resume_fails_each_kind_of_unit_in_its_data(void **state)
{
	cJSON *doc = died_during("startup/7/isolab-vmm");
	const cJSON *e;

	bench_progress_resume(doc, "died", 1);
	e = entry_of(doc, "startup", "isolab-vmm");
	assert_int_equal((int)bench_json_number(e, "failures", 0), 3);
	assert_string_equal(bench_json_string(e, "last_error", ""), "died");
	cJSON_Delete(doc);

	doc = died_during("memory/isolab-vmm");
	bench_progress_resume(doc, "died", 1);
	assert_string_equal(bench_json_string(entry_of(doc, "memory", "isolab-vmm"), "error", ""), "died");
	cJSON_Delete(doc);

	/* a syscall run (one round of one system) that died is a failure of that system */
	doc = died_during("syscall/3/qemu-microvm");
	bench_progress_resume(doc, "died", 1);
	e = entry_of(doc, "syscall", "qemu-microvm");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "available")));
	assert_int_equal((int)bench_json_number(e, "failures", 0), 1);
	assert_string_equal(bench_json_string(e, "last_error", ""), "died");
	cJSON_Delete(doc);
	/* a file from before the syscall suite had rounds: its one run died, the system unavailable */
	doc = died_during("syscall/qemu-microvm");
	bench_progress_resume(doc, "died", 1);
	e = entry_of(doc, "syscall", "qemu-microvm");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "available")));
	assert_string_equal(bench_json_string(e, "note", ""), "died");
	cJSON_Delete(doc);

	/* the build suite: a first build that died makes the builder unavailable,
	 * a rebuild that died is a failure of that builder */
	doc = died_during("build/first/buildah");
	bench_progress_resume(doc, "died", 1);
	e = entry_of(doc, "build", "buildah");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "available")));
	assert_string_equal(bench_json_string(e, "note", ""), "the first (uncached) build failed: died");
	cJSON_Delete(doc);
	doc = died_during("build/4/isolab-build");
	bench_progress_resume(doc, "died", 1);
	e = entry_of(doc, "build", "isolab-build");
	assert_int_equal((int)bench_json_number(e, "failures", 0), 1);
	assert_string_equal(bench_json_string(e, "last_error", ""), "died");
	assert_int_equal(bench_unit_state(cJSON_GetObjectItemCaseSensitive(doc, "progress"),
					  "build/4/isolab-build"), BENCH_UNIT_FAILED);
	cJSON_Delete(doc);

	/* the lifecycle suite: a sequence that died is a failure of that runtime */
	doc = died_during("lifecycle/2/runc");
	bench_progress_resume(doc, "died", 1);
	e = entry_of(doc, "lifecycle", "runc");
	assert_int_equal((int)bench_json_number(e, "failures", 0), 1);
	assert_string_equal(bench_json_string(e, "last_error", ""), "died");
	assert_int_equal(bench_unit_state(cJSON_GetObjectItemCaseSensitive(doc, "progress"),
					  "lifecycle/2/runc"), BENCH_UNIT_FAILED);
	cJSON_Delete(doc);

	/* a system the file never listed gets an entry that says so */
	doc = died_during("syscall/native");
	bench_progress_resume(doc, "died", 1);
	assert_string_equal(bench_json_string(entry_of(doc, "syscall", "native"), "note", ""), "died");
	cJSON_Delete(doc);
}

static void options_round_trip_for_resume(void **state)
{
	char *argv[] = { "isolab-bench", "run", "--suites", "memory,syscall", "--runs", "7",
			 "--density-max", "4", "--systems", "native,isolab-vmm", "--vm-mem", "256M" };
	struct bench_args a, b;
	struct isolab_error err = { 0 };
	cJSON *opts;

	assert_int_equal(bench_parse_args(12, argv, &a, &err), 0);
	opts = bench_options_json(&a);
	memset(&b, 0, sizeof(b));
	assert_int_equal(bench_options_apply(opts, &b, &err), 0);
	assert_int_equal(b.suites, BENCH_SUITE_MEMORY | BENCH_SUITE_SYSCALL);
	assert_int_equal(b.runs, 7);
	assert_int_equal(b.density_max, 4);
	assert_int_equal(b.samples, a.samples);
	assert_int_equal(b.timeout_s, a.timeout_s);
	assert_true(b.vm_mem == 256ull << 20);
	assert_string_equal(b.systems, "native,isolab-vmm");
	assert_int_equal(b.build_runs, 7);
	/* a file from before the build suite: its rebuilds as many as its runs, at most 10 */
	cJSON_DeleteItemFromObjectCaseSensitive(opts, "build_runs");
	assert_int_equal(bench_options_apply(opts, &b, &err), 0);
	assert_int_equal(b.build_runs, 7);
	cJSON_ReplaceItemInObjectCaseSensitive(opts, "runs", cJSON_CreateNumber(30));
	assert_int_equal(bench_options_apply(opts, &b, &err), 0);
	assert_int_equal(b.build_runs, BENCH_DEFAULT_BUILD_RUNS);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(opts, "suites"), cJSON_CreateString("build"));
	assert_int_equal(bench_options_apply(opts, &b, &err), 0);
	assert_int_equal(b.suites, BENCH_SUITE_MEMORY | BENCH_SUITE_SYSCALL | BENCH_SUITE_BUILD);
	cJSON_ReplaceItemInObjectCaseSensitive(opts, "runs", cJSON_CreateNumber(0));
	assert_int_equal(bench_options_apply(opts, &b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "runs"));
	cJSON_Delete(opts);
}

static void resume_takes_no_measuring_option(void **state)
{
	char *ok[] = { "isolab-bench", "run", "--resume", "f.json", "--resume-reason", "lab died",
		       "--no-report" };
	char *bad[] = { "isolab-bench", "run", "--resume", "f.json", "--runs", "3" };
	char *lonely[] = { "isolab-bench", "run", "--resume-reason", "x" };
	struct bench_args a;
	struct isolab_error err = { 0 };

	assert_int_equal(bench_parse_args(7, ok, &a, &err), 0);
	assert_string_equal(a.resume, "f.json");
	assert_string_equal(a.resume_reason, "lab died");
	assert_int_equal(bench_parse_args(6, bad, &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--resume"));
	assert_int_equal(bench_parse_args(4, lonely, &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "only with --resume"));
}

static void summary_grows_one_sample_at_a_time(void **state)
{
	cJSON *e = cJSON_CreateObject();
	const cJSON *s;

	bench_summary_append(e, "t", 30, "ns");
	bench_summary_append(e, "t", 10, "ns");
	bench_summary_append(e, "t", 20, "ns");
	s = cJSON_GetObjectItemCaseSensitive(e, "t");
	assert_int_equal((int)bench_json_number(s, "n", 0), 3);
	assert_int_equal((int)bench_json_number(s, "median", 0), 20);
	assert_int_equal((int)bench_json_number(s, "min", 0), 10);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "samples")), 3);
	/* samples stay in the order taken */
	assert_int_equal((int)cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s, "samples"), 0)->valuedouble, 30);
	cJSON_Delete(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(units_move_from_running_to_done_or_failed),
		cmocka_unit_test(resume_with_nothing_running_fails_nothing),
		cmocka_unit_test(resume_fails_a_density_point_in_its_data),
		cmocka_unit_test(resume_fails_each_kind_of_unit_in_its_data),
		cmocka_unit_test(options_round_trip_for_resume),
		cmocka_unit_test(resume_takes_no_measuring_option),
		cmocka_unit_test(summary_grows_one_sample_at_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
