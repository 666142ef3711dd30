/* report.c: `isolab-bench report` and `isolab-bench merge` (see report.h). */
#include "bench/merge.h"
#include "bench/plot.h"
#include "bench/report.h"
#include "bench/results.h"
#include "common/jsonfile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The plots dir as seen from the report's folder (relative when below it). */
static void plots_ref(const char *report, const char *plots, char *buf, size_t size)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(report, '/');
	size_t n;

	if (slash == NULL) {
		snprintf(buf, size, "%s", plots);
		return;
	}
	snprintf(dir, sizeof(dir), "%.*s/", (int)(slash - report), report);
	n = strlen(dir);
	if (strncmp(plots, dir, n) == 0)
		snprintf(buf, size, "%s", plots + n);
	else if (plots[0] == '/')
		snprintf(buf, size, "%s", plots);
	else
		snprintf(buf, size, "%s", plots); /* relative to the working directory */
}

/*
 * Where a report goes: --out, else RESULTS/report_name; its plots: --plots,
 * else plots_name beside the report (a report drawn with --out elsewhere
 * never redraws the committed results/plots); the plots also as an
 * absolute path, for gnuplot, which runs with `cd` into them.
 */
static int report_paths(const struct bench_args *args, const char *report_name,
			const char *plots_name, char *out, char *plots, char *abs_plots,
			size_t abs_size, struct isolab_error *err)
{
	if (args->report_path != NULL)
		snprintf(out, PATH_MAX, "%s", args->report_path);
	else
		snprintf(out, PATH_MAX, "%s/%s", args->results_dir, report_name);
	if (args->plots_dir != NULL) {
		snprintf(plots, PATH_MAX, "%s", args->plots_dir);
	} else {
		const char *slash = strrchr(out, '/');

		snprintf(plots, PATH_MAX, "%.*s%s%s", slash ? (int)(slash - out) : 0, out,
			 slash ? "/" : "", plots_name);
	}
	if (plots[0] != '/') {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return isolab_error_errno(err, -errno, "getcwd");
		snprintf(abs_plots, abs_size, "%s/%s", cwd, plots);
	} else {
		snprintf(abs_plots, abs_size, "%s", plots);
	}
	return 0;
}

int bench_report(const struct bench_args *args, struct isolab_error *err)
{
	char input[PATH_MAX], plots[PATH_MAX], out[PATH_MAX], ref[PATH_MAX], abs_plots[2 * PATH_MAX + 2];
	const char *name;
	cJSON *doc = NULL;
	char *md;
	int rc;

	if (args->input != NULL)
		snprintf(input, sizeof(input), "%s", args->input);
	else if ((rc = bench_results_newest(args->results_dir, input, sizeof(input), err)) < 0)
		return rc;
	rc = report_paths(args, "REPORT.md", "plots", out, plots, abs_plots, sizeof(abs_plots), err);
	if (rc < 0)
		return rc;
	rc = isolab_json_read(input, &doc, err);
	if (rc < 0)
		return rc;
	rc = bench_results_check(doc, err);
	if (rc < 0)
		goto done;
	rc = bench_plot_all(doc, abs_plots, bench_plot_style_of(args->style), err);
	if (rc < 0)
		goto done;
	plots_ref(out, plots, ref, sizeof(ref));
	name = strstr(input, "results/") ? strstr(input, "results/") : input;
	md = bench_report_markdown(doc, name, ref);
	if (md == NULL) {
		rc = isolab_error_set(err, -ENOMEM, "report: out of memory");
		goto done;
	}
	rc = isolab_text_write_atomic(out, md, err);
	free(md);
	if (rc == 0) {
		const cJSON *progress = cJSON_GetObjectItemCaseSensitive(doc, "progress"), *f;

		fprintf(stderr, "isolab-bench: report %s, plots in %s\n", out, plots);
		if (progress != NULL && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(progress, "complete")))
			fprintf(stderr, "isolab-bench: the run in %s is incomplete (the report says so)\n",
				input);
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(progress, "failed")) {
			fprintf(stderr, "isolab-bench: failed: %s: %s\n",
				bench_json_string(f, "unit", "?"), bench_json_string(f, "reason", "?"));
		}
	}
done:
	cJSON_Delete(doc);
	return rc;
}

int bench_merge_same_file(const struct bench_args *args, struct isolab_error *err)
{
	int i, j;

	for (i = 0; i < args->merge_count; i++) {
		struct stat a, b;

		if (stat(args->merge_files[i], &a) < 0)
			continue; /* unreadable: refused when it is read */
		for (j = 0; j < i; j++)
			if (stat(args->merge_files[j], &b) == 0 && a.st_dev == b.st_dev &&
			    a.st_ino == b.st_ino)
				return isolab_error_set(err, -EINVAL, "merge: `%s` and `%s` are the same file",
							args->merge_files[j], args->merge_files[i]);
	}
	return 0;
}

int bench_merge_report(const struct bench_args *args, struct isolab_error *err)
{
	char plots[PATH_MAX], out[PATH_MAX], ref[PATH_MAX], abs_plots[2 * PATH_MAX + 2];
	struct bench_merge_input in[BENCH_MERGE_MAX] = { { NULL, NULL } };
	cJSON *docs[BENCH_MERGE_MAX] = { NULL };
	size_t n = (size_t)args->merge_count, i;
	char *md = NULL;
	int rc = 0;

	if (n > BENCH_MERGE_MAX)
		return isolab_error_set(err, -E2BIG, "merge: at most %u results files", BENCH_MERGE_MAX);
	for (i = 0; i < n && rc == 0; i++) {
		rc = isolab_json_read(args->merge_files[i], &docs[i], err);
		if (rc < 0)
			rc = isolab_error_wrap(err, "merge");
		in[i].name = args->merge_files[i];
		in[i].doc = docs[i];
	}
	if (rc == 0)
		rc = bench_merge_check(in, n, err);
	if (rc == 0)
		rc = report_paths(args, "MERGED.md", "plots-merged", out, plots, abs_plots,
				  sizeof(abs_plots), err);
	if (rc == 0)
		rc = bench_plot_merge(in, n, abs_plots, bench_plot_style_of(args->style), err);
	if (rc == 0) {
		plots_ref(out, plots, ref, sizeof(ref));
		md = bench_merge_markdown(in, n, ref);
		rc = md ? isolab_text_write_atomic(out, md, err)
			: isolab_error_set(err, -ENOMEM, "merge: out of memory");
	}
	if (rc == 0)
		fprintf(stderr, "isolab-bench: merged report %s, plots in %s\n", out, plots);
	free(md);
	for (i = 0; i < n; i++)
		cJSON_Delete(docs[i]);
	return rc;
}
