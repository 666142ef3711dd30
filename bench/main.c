/*
 * main.c: isolab-bench's command line.
 *
 *   run     measure the suites, write results/<env>/<UTC timestamp>.json
 *           (atomically), then draw the report (unless --no-report)
 *   report  draw plots and REPORT.md from a results file
 *   merge   one report with several results files side by side (MERGED.md)
 *
 * Exit statuses: 0 done; 1 a run, report or merge failed (merge: a file
 * unreadable or not isolab-bench results); 2 bad usage (merge: fewer than
 * two files, or one file named twice); 130 / 143 interrupted (SIGINT /
 * SIGTERM): what was measured is kept, marked incomplete.
 */
#include "bench/args.h"
#include "bench/checkpoint.h"
#include "bench/env.h"
#include "bench/report.h"
#include "bench/results.h"
#include "bench/spawn.h"
#include "bench/suites.h"
#include "bench/systems.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "common/jsonfile.h"
#include "common/mkdir.h"
#include "common/version.h"

#include <libgen.h>

/* A new run's document: format, environment, options, empty progress. */
static int new_run(const struct bench_args *args, struct bench_checkpoint *cp,
		   struct isolab_error *err)
{
	time_t now = time(NULL);
	const char *env_name = args->env_name ? args->env_name : bench_env_name();
	char repo[4096];
	int rc;

	if (args->results_file != NULL) {
		char dir[sizeof(cp->path)];

		if ((size_t)snprintf(cp->path, sizeof(cp->path), "%s", args->results_file) >=
		    sizeof(cp->path))
			return isolab_error_set(err, -ENAMETOOLONG, "--results-file: too long");
		snprintf(dir, sizeof(dir), "%s", cp->path);
		rc = isolab_mkdir_p(dirname(dir), 0755);
		if (rc < 0)
			return isolab_error_errno(err, rc, "--results-file `%s`: create its folder",
						  cp->path);
	} else {
		rc = bench_results_prepare(args->results_dir, env_name, now, cp->path,
					   sizeof(cp->path), err);
		if (rc < 0)
			return rc;
	}
	if (access(cp->path, F_OK) == 0)
		return isolab_error_set(err, -EEXIST,
					"results file `%s` exists: go on with it with --resume, or name another",
					cp->path);
	if (getcwd(repo, sizeof(repo)) == NULL)
		return isolab_error_errno(err, -errno, "getcwd");
	cp->doc = cJSON_CreateObject();
	cJSON_AddStringToObject(cp->doc, "format", BENCH_RESULTS_FORMAT);
	cJSON_AddItemToObject(cp->doc, "environment", bench_env_collect(env_name, repo, (long)now));
	cJSON_AddItemToObject(cp->doc, "options", bench_options_json(args));
	cp->progress = bench_progress_add(cp->doc);
	cJSON_AddObjectToObject(cp->doc, "suites");
	return 0;
}

/* A run taken up again: its document, its options; the unit it died in failed. */
static int resume_run(struct bench_args *args, struct bench_checkpoint *cp,
		      struct isolab_error *err)
{
	const char *failed, *reason = args->resume_reason;
	int rc;

	if ((size_t)snprintf(cp->path, sizeof(cp->path), "%s", args->resume) >= sizeof(cp->path))
		return isolab_error_set(err, -ENAMETOOLONG, "--resume: too long");
	bench_checkpoint_sweep(cp->path);
	rc = isolab_json_read(cp->path, &cp->doc, err);
	if (rc == 0)
		rc = bench_results_check(cp->doc, err);
	if (rc == 0)
		rc = bench_options_apply(cJSON_GetObjectItemCaseSensitive(cp->doc, "options"), args, err);
	if (rc < 0)
		return isolab_error_wrap(err, "--resume `%s`", cp->path);
	cp->progress = cJSON_GetObjectItemCaseSensitive(cp->doc, "progress");
	if (!cJSON_IsObject(cp->progress))
		return isolab_error_set(err, -EINVAL, "--resume `%s`: no progress record in it",
					cp->path);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cp->progress, "complete")))
		return isolab_error_set(err, -EALREADY, "--resume `%s`: that run is complete",
					cp->path);
	if (reason == NULL)
		reason = "the run stopped while this was running (the harness or its lab died)";
	failed = bench_progress_resume(cp->doc, reason, (double)time(NULL));
	if (failed != NULL)
		fprintf(stderr, "isolab-bench: resuming %s: %s recorded as failed: %s\n", cp->path,
			failed, reason);
	else
		fprintf(stderr, "isolab-bench: resuming %s after its last finished unit\n", cp->path);
	return 0;
}

static int run(struct bench_args *args, char *path, size_t size, struct isolab_error *err)
{
	static const struct {
		unsigned bit;
		const char *name;
		int (*fn)(struct bench_ctx *, cJSON *, struct isolab_error *);
	} suites[] = {
		{ BENCH_SUITE_STARTUP, "startup", bench_suite_startup },
		{ BENCH_SUITE_MEMORY, "memory", bench_suite_memory },
		{ BENCH_SUITE_SYSCALL, "syscall", bench_suite_syscall },
		{ BENCH_SUITE_BUILD, "build", bench_suite_build },
		{ BENCH_SUITE_LIFECYCLE, "lifecycle", bench_suite_lifecycle },
		{ BENCH_SUITE_NETWORK, "network", bench_suite_network },
	};
	struct bench_checkpoint cp = { 0 };
	struct bench_ctx ctx;
	cJSON *all;
	size_t i;
	int rc;

	rc = args->resume ? resume_run(args, &cp, err) : new_run(args, &cp, err);
	if (rc == 0)
		rc = bench_ctx_init(&ctx, args, err);
	if (rc < 0) {
		cJSON_Delete(cp.doc);
		return rc;
	}
	snprintf(path, size, "%s", cp.path);
	ctx.checkpoint = &cp;
	rc = bench_checkpoint_write(&cp, err);
	all = cJSON_GetObjectItemCaseSensitive(cp.doc, "suites");
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]) && rc == 0; i++) {
		cJSON *part = cJSON_GetObjectItemCaseSensitive(all, suites[i].name);

		if (!(args->suites & suites[i].bit))
			continue;
		if (part == NULL) {
			/* its list exists even if no system of it is selected: a checked document */
			part = cJSON_AddObjectToObject(all, suites[i].name);
			cJSON_AddArrayToObject(part, "systems");
		}
		rc = suites[i].fn(&ctx, part, err);
	}
	if (rc == 0 && bench_stop_requested)
		rc = isolab_error_set(err, -EINTR, "interrupted");
	bench_ctx_destroy(&ctx);
	if (rc == 0)
		bench_set_bool(cp.progress, "complete", true);
	else if (rc == -EINTR) /* the unit under way was cut short, not failed: to do again */
		bench_unit_clear_running(cp.progress);
	if (rc == 0 || rc == -EINTR) {
		struct isolab_error werr = { 0 };

		if (bench_checkpoint_write(&cp, &werr) < 0 && rc == 0) {
			*err = werr;
			rc = werr.code;
		}
	}
	if (rc == 0 && bench_progress_failed_count(cp.doc) > 0)
		fprintf(stderr, "isolab-bench: %d unit(s) failed; the report lists them\n",
			bench_progress_failed_count(cp.doc));
	cJSON_Delete(cp.doc);
	return rc;
}

int main(int argc, char **argv)
{
	struct isolab_error err = { 0 };
	struct bench_args args;
	char path[4096];
	int rc;

	if (bench_parse_args(argc, argv, &args, &err) < 0) {
		fprintf(stderr, "isolab-bench: %s\n", err.msg);
		return 2;
	}
	if (args.command == BENCH_CMD_VERSION) {
		printf("isolab-bench version %s\n", ISOLAB_VERSION);
		return 0;
	}
	if (args.systems != NULL) {
		const char *p = args.systems;

		while (*p) {
			size_t n = strcspn(p, ",");
			char name[64];
			size_t k;
			bool known = false;

			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			for (k = 0; k < bench_system_count; k++)
				known |= strcmp(bench_systems[k].name, name) == 0;
			known |= bench_builder_find(name) != NULL;
			if (!known) {
				fprintf(stderr, "isolab-bench: --systems: unknown system `%s` (", name);
				for (k = 0; k < bench_system_count; k++)
					fprintf(stderr, "%s%s", k ? ", " : "", bench_systems[k].name);
				for (k = 0; k < bench_builder_count; k++)
					fprintf(stderr, ", %s", bench_builders[k].name);
				fprintf(stderr, ")\n");
				return 2;
			}
			p += n + (p[n] == ',');
		}
	}
	if (args.command == BENCH_CMD_HELP) {
		fputs(bench_usage, stdout);
		return 0;
	}
	if (args.command == BENCH_CMD_MERGE) {
		if (bench_merge_same_file(&args, &err) < 0) {
			fprintf(stderr, "isolab-bench: %s\n", err.msg);
			return 2;
		}
		if (bench_merge_report(&args, &err) < 0) {
			fprintf(stderr, "isolab-bench: %s\n", err.msg);
			return 1;
		}
		return 0;
	}
	bench_install_stop_handler();
	if (args.command == BENCH_CMD_RUN) {
		path[0] = '\0';
		rc = run(&args, path, sizeof(path), &err);
		if (rc == -EINTR || bench_stop_requested) {
			if (path[0] != '\0' && access(path, F_OK) == 0)
				fprintf(stderr, "isolab-bench: interrupted; what was measured is in %s "
						"(go on with: isolab-bench run --resume %s)\n", path, path);
			else
				fprintf(stderr, "isolab-bench: interrupted, no results written\n");
			return bench_stop_requested == SIGTERM ? 143 : 130;
		}
		if (rc < 0) {
			fprintf(stderr, "isolab-bench: %s\n", err.msg);
			return 1;
		}
		printf("%s\n", path);
		fflush(stdout);
		if (args.no_report)
			return 0;
		args.input = path;
	}
	rc = bench_report(&args, &err);
	if (rc < 0) {
		fprintf(stderr, "isolab-bench: %s\n", err.msg);
		return 1;
	}
	return 0;
}
