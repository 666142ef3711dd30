/*
 * main.c: isolab-bench's command line.
 *
 *   run     measure the suites, write results/<env>/<UTC timestamp>.json
 *           (atomically), then draw the report (unless --no-report)
 *   report  draw plots and REPORT.md from a results file
 *
 * Exit statuses: 0 done; 1 a run or report failed; 2 bad usage;
 * 130 / 143 interrupted (SIGINT / SIGTERM): no results file is written.
 */
#include "bench/args.h"
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

static int run(const struct bench_args *args, char *path, size_t size, struct isolab_error *err)
{
	static const struct {
		unsigned bit;
		const char *name;
		cJSON *(*fn)(struct bench_ctx *, struct isolab_error *);
	} suites[] = {
		{ BENCH_SUITE_STARTUP, "startup", bench_suite_startup },
		{ BENCH_SUITE_MEMORY, "memory", bench_suite_memory },
		{ BENCH_SUITE_SYSCALL, "syscall", bench_suite_syscall },
	};
	struct bench_ctx ctx;
	time_t now = time(NULL);
	const char *env_name = args->env_name ? args->env_name : bench_env_name();
	cJSON *doc, *all, *env, *opts;
	size_t i;
	int rc;

	rc = bench_ctx_init(&ctx, args, err);
	if (rc < 0)
		return rc;
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "format", BENCH_RESULTS_FORMAT);
	env = bench_env_collect(env_name, ctx.repo, (long)now);
	cJSON_AddItemToObject(doc, "environment", env);
	opts = cJSON_AddObjectToObject(doc, "options");
	cJSON_AddNumberToObject(opts, "runs", args->runs);
	cJSON_AddNumberToObject(opts, "density_max", args->density_max);
	cJSON_AddNumberToObject(opts, "samples", args->samples);
	cJSON_AddNumberToObject(opts, "vm_mem_bytes", (double)args->vm_mem);
	cJSON_AddBoolToObject(opts, "quick", args->quick);
	all = cJSON_AddObjectToObject(doc, "suites");
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]) && rc == 0; i++) {
		cJSON *part;

		if (!(args->suites & suites[i].bit))
			continue;
		part = suites[i].fn(&ctx, err);
		if (part == NULL)
			rc = err->code ? err->code : -EIO;
		else
			cJSON_AddItemToObject(all, suites[i].name, part);
	}
	if (rc == 0 && bench_stop_requested)
		rc = isolab_error_set(err, -EINTR, "interrupted");
	bench_ctx_destroy(&ctx);
	if (rc == 0)
		rc = bench_results_write(args->results_dir, env_name, now, doc, path, size, err);
	cJSON_Delete(doc);
	return rc;
}

int main(int argc, char **argv)
{
	struct isolab_error err = { 0 };
	struct bench_args args;
	char path[4096];
	int rc;

	if (bench_parse_args(argc, argv, &args, &err) < 0) {
		fprintf(stderr, "isolab-bench: %s\n%s", err.msg, bench_usage);
		return 2;
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
			if (!known) {
				fprintf(stderr, "isolab-bench: --systems: unknown system `%s` (", name);
				for (k = 0; k < bench_system_count; k++)
					fprintf(stderr, "%s%s", k ? ", " : "", bench_systems[k].name);
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
	bench_install_stop_handler();
	if (args.command == BENCH_CMD_RUN) {
		rc = run(&args, path, sizeof(path), &err);
		if (rc == -EINTR || bench_stop_requested) {
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
