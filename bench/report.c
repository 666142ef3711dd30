/* report.c: `isolab-bench report` (see report.h). */
#include "bench/plot.h"
#include "bench/report.h"
#include "bench/results.h"
#include "common/jsonfile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	if (args->report_path != NULL)
		snprintf(out, sizeof(out), "%s", args->report_path);
	else
		snprintf(out, sizeof(out), "%s/REPORT.md", args->results_dir);
	/* The plots beside the report they belong to: a report drawn with
	 * --out elsewhere never redraws the committed results/plots. */
	if (args->plots_dir != NULL) {
		snprintf(plots, sizeof(plots), "%s", args->plots_dir);
	} else if (args->report_path != NULL) {
		const char *slash = strrchr(out, '/');

		snprintf(plots, sizeof(plots), "%.*s%splots", slash ? (int)(slash - out) : 0, out,
			 slash ? "/" : "");
	} else {
		snprintf(plots, sizeof(plots), "%s/plots", args->results_dir);
	}
	rc = isolab_json_read(input, &doc, err);
	if (rc < 0)
		return rc;
	rc = bench_results_check(doc, err);
	if (rc < 0)
		goto done;
	/* gnuplot runs with `cd` into the plots dir: give it an absolute path. */
	if (plots[0] != '/') {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			rc = isolab_error_errno(err, -errno, "getcwd");
			goto done;
		}
		snprintf(abs_plots, sizeof(abs_plots), "%s/%s", cwd, plots);
	} else {
		snprintf(abs_plots, sizeof(abs_plots), "%s", plots);
	}
	rc = bench_plot_all(doc, abs_plots, err);
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
