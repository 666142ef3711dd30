/*
 * plot_merge.c: the merged report's pictures (see plot.h): per suite, one
 * group of bars per system, one bar per host (its median, its 95% CI as
 * the error bar). A host without a figure for a system gets no empty
 * slot: a "not measured" mark stands there, and a line under the plot
 * says why. Nothing is divided across hosts.
 */
#include "bench/gnuplot.h"
#include "bench/merge.h"
#include "bench/plot.h"
#include "bench/checkpoint.h"
#include "bench/results.h"
#include "bench/table.h"
#include "common/mkdir.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_GROUPS 32
#define MAX_HOSTS 8

/* One merged picture: which figure of which suite, and how it reads. */
struct merge_plot {
	const char *name, *suite, *key, *title, *unit;
	bool bytes;     /* key is a number of bytes (drawn in MiB), not a summary in ns (ms) */
	const char *none; /* the no-data line */
};

static const struct merge_plot plots[] = {
	{ "merge_startup", "startup", "first_line",
	  "Start-up per host: launch to the probe's first line (median, bars: 95% CI)", "ms", false,
	  "no host measured start-up" },
	{ "merge_memory", "memory", "instance_bytes",
	  "Host memory per instance and host (tree RSS + cgroup)", "MiB", true,
	  "no host measured memory" },
	{ "merge_build", "build", "rebuild",
	  "Cached rebuild per builder and host (median, bars: 95% CI)", "ms", false,
	  "no host measured the build suite" },
	{ "merge_lifecycle", "lifecycle", "total",
	  "OCI lifecycle (create + start + delete) per runtime and host (median, bars: 95% CI)", "ms",
	  false, "no host measured the lifecycle suite" },
};

/* entry's figure: median, interval (the median itself without one); false when none. */
static bool figure(const struct merge_plot *p, const cJSON *entry, double out[3])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, p->key);
	struct bench_summary s;
	struct bench_interval ci;

	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(entry, "available")))
		return false;
	if (p->bytes) {
		if (!cJSON_IsNumber(v) || v->valuedouble <= 0)
			return false;
		out[0] = out[1] = out[2] = v->valuedouble / (1024.0 * 1024.0);
		return true;
	}
	if (bench_summary_from_json(v, &s) < 0 || s.n == 0 || s.median <= 0)
		return false;
	out[0] = s.median / 1e6;
	if (bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(v, "ci95"), &ci) == 0) {
		out[1] = ci.lo / 1e6;
		out[2] = ci.hi / 1e6;
	} else {
		out[1] = out[2] = out[0];
	}
	return true;
}

static const cJSON *suite_of(const cJSON *doc, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "suites"), name);
}

/* The script and data of one merged picture. */
static void merge_plot(const struct merge_plot *p, const struct bench_merge_input *in, size_t n,
		       struct bench_text *d, struct bench_text *g)
{
	const char *names[MAX_GROUPS];
	size_t idx[MAX_HOSTS], m = 0, groups, i, k;
	double lo = 0, hi = 0, width;
	struct bench_text note = { 0 };
	int bars = 0, incomplete = 0;

	for (i = 0; i < n && m < MAX_HOSTS; i++)
		if (suite_of(in[i].doc, p->suite) != NULL)
			idx[m++] = i;
	groups = bench_merge_names(in, n, p->suite, "systems", "name", names, MAX_GROUPS);
	bench_text_printf(g, "set title \"%s\\none bar per host, each its own run; nothing divided "
			     "across hosts\" offset 0,%zu\nset grid ytics\nset rmargin 8\n", p->title, m);
	/* the key (a line per host) between the title and the plot: never over a bar */
	bench_text_printf(g, "set tmargin %zu\nset key at graph 0, graph 1 left bottom Left reverse "
			     "samplen 2\n", 4 + m);
	width = m > 0 ? 0.8 / (double)m : 0.8;
	bench_text_printf(d, "# %s: one block per host (gnuplot index): x median lo hi width system\n",
			  p->name);
	for (i = 0; i < m; i++) {
		const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite_of(in[idx[i]].doc, p->suite),
									"systems");
		char label[160], line[1024];

		bench_merge_label(in, n, idx[i], label, sizeof(label));
		bench_text_printf(d, "%s# %s\n", i ? "\n\n" : "", label);
		for (k = 0; k < groups; k++) {
			double x = (double)k - 0.4 + width * ((double)i + 0.5), v[3];

			if (figure(p, bench_entry_by_name(systems, names[k]), v)) {
				bench_text_printf(d, "%.3f %.6f %.6f %.6f %.3f \"%s\"\n", x, v[0], v[1], v[2],
						  width, names[k]);
				if (v[1] > 0 && (lo <= 0 || v[1] < lo))
					lo = v[1];
				if (v[2] > hi)
					hi = v[2];
				bars++;
			} else {
				bench_gp_missing_mark(g, x, (int)i + 1);
			}
		}
		bench_format_not_measured(systems, p->key, line, sizeof(line));
		if (line[0] != '\0')
			bench_text_printf(&note, "%s%s: %s", note.s ? "\n" : "", label, line);
		if (strstr(label, "‡") != NULL)
			incomplete++;
	}
	if (incomplete > 0)
		bench_text_printf(&note, "%s‡ an incomplete run: what it measured before it stopped",
				  note.s ? "\n" : "");
	if (bars == 0) {
		bench_text_free(&note);
		bench_text_append(g, "unset label\n");
		bench_gp_no_data(g, p->none);
		return;
	}
	bench_gp_footnote(g, note.s);
	bench_text_free(&note);
	bench_gp_value_axis(g, lo, hi, p->unit);
	bench_text_printf(g, "set xrange [-0.6:%zu.6]\nset xtics (", groups - 1);
	for (k = 0; k < groups; k++)
		bench_text_printf(g, "%s\"%s\" %zu", k ? ", " : "", names[k], k);
	bench_text_append(g, ") rotate by 30 right scale 0\nset style fill solid 0.6 border -1\nplot ");
	for (i = 0; i < m; i++) {
		const cJSON *env = cJSON_GetObjectItemCaseSensitive(in[idx[i]].doc, "environment");
		const cJSON *s = suite_of(in[idx[i]].doc, p->suite);
		char label[160];

		bench_merge_label(in, n, idx[i], label, sizeof(label));
		bench_text_printf(g, "%s'%s.dat' index %zu using 1:2:3:4:5 with boxerrorbars lt %zu "
				     "title \"%s: %s, %s", i ? ", \\\n  " : "", p->name, i, i + 1, label,
				  bench_json_string(env, "cpu", "CPU unknown"),
				  bench_json_string(env, "kernel", "kernel unknown"));
		if (bench_json_number(s, "runs", 0) > 0)
			bench_text_printf(g, ", N = %.0f", bench_json_number(s, "runs", 0));
		bench_text_append(g, "\"");
	}
	bench_text_append(g, "\n");
}

int bench_plot_merge(const struct bench_merge_input *in, size_t n, const char *dir,
		     const struct bench_plot_style *style, struct isolab_error *err)
{
	size_t k;
	int rc;

	rc = isolab_mkdir_p(dir, 0755);
	if (rc < 0)
		return isolab_error_errno(err, rc, "create `%s`", dir);
	for (k = 0; k < sizeof(plots) / sizeof(plots[0]) && rc == 0; k++) {
		struct bench_text d = { 0 }, g = { 0 };
		char file[64];

		bench_gp_head(&g, style, plots[k].name);
		merge_plot(&plots[k], in, n, &d, &g);
		bench_gp_tail(&g, plots[k].name);
		if (d.failed || g.failed)
			rc = isolab_error_set(err, -ENOMEM, "plot %s: out of memory", plots[k].name);
		if (rc == 0) {
			snprintf(file, sizeof(file), "%s.dat", plots[k].name);
			rc = bench_gp_write(dir, file, d.s, err);
		}
		if (rc == 0) {
			snprintf(file, sizeof(file), "%s.gp", plots[k].name);
			rc = bench_gp_write(dir, file, g.s, err);
		}
		if (rc == 0)
			rc = bench_gp_run(dir, plots[k].name, err);
		bench_text_free(&d);
		bench_text_free(&g);
	}
	return rc;
}
