/* plot.c: gnuplot data and scripts for the report's pictures (see plot.h). */
#include "bench/gnuplot.h"
#include "bench/lifecycle.h"
#include "bench/netstats.h"
#include "bench/plot.h"
#include "bench/results.h"
#include "bench/table.h"
#include "common/mkdir.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const bench_plot_names[] = { "startup", "startup_cdf", "vmm_phases", "memory",
					 "density", "syscall", "build", "lifecycle",
					 "network" };
const size_t bench_plot_count = sizeof(bench_plot_names) / sizeof(bench_plot_names[0]);

#define MIB (1024.0 * 1024.0)
#define BENCH_MAX_PLOT_SERIES 8

/* DIR/NAME = text (gnuplot.h). */
static int write_text(const char *dir, const char *name, const char *text,
		      struct isolab_error *err)
{
	return bench_gp_write(dir, name, text, err);
}

/*
 * Script head, after the terminal lines bench_plot_all wrote in the
 * style asked for (bench_gp_head): a title whose second line says where
 * it was measured (environment, CPU, kernel) and how many runs.
 */
static void script_head(struct bench_text *t, const cJSON *doc, const char *suite_name,
			const char *name, const char *title)
{
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(doc, "environment");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "suites"),
							  suite_name);
	const char *where = bench_json_string(env, "name", "?");
	double runs = bench_json_number(s, "runs", 0);

	(void)name; /* the terminal lines bench_plot_all wrote name the files */
	bench_text_printf(t, "set title \"%s\\n%s", title, bench_env_words(where));
	if (runs > 0)
		bench_text_printf(t, ", N = %.0f runs per system", runs);
	bench_text_printf(t, "\\n%s, %s", bench_json_string(env, "cpu", "CPU unknown"),
			  bench_json_string(env, "kernel", "kernel unknown"));
	bench_text_append(t, "\"\nset grid ytics\nset key top left\n");
}

/* Script tail: the same picture again as SVG, in the head's style. */
static void script_tail(struct bench_text *t, const char *name)
{
	bench_gp_tail(t, name);
}

static void no_data(struct bench_text *t, const char *why)
{
	bench_gp_no_data(t, why);
}

static const cJSON *suite(const cJSON *doc, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "suites"), name);
}

static const cJSON *systems_of(const cJSON *doc, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(suite(doc, name), "systems");
}

/*
 * A summary's median and its 95% interval in ms; without an interval
 * (fewer than 3 runs) the bar's ends are the median itself.
 */
static void median_ci_ms(const cJSON *summary, const struct bench_summary *v, double out[3])
{
	struct bench_interval ci;

	out[0] = v->median / 1e6;
	if (bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(summary, "ci95"), &ci) == 0) {
		out[1] = ci.lo / 1e6;
		out[2] = ci.hi / 1e6;
	} else {
		out[1] = out[2] = out[0];
	}
}

/* The smallest and largest of the values v[0..n) above 0 into *lo, *hi. */
static void widen(double *lo, double *hi, const double *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] > 0 && !isnan(v[i])) {
			if (*lo <= 0 || v[i] < *lo)
				*lo = v[i];
			if (v[i] > *hi)
				*hi = v[i];
		}
}

/* The line under a picture naming the systems of suite_name without a figure of key. */
static void not_measured_note(struct bench_text *g, const cJSON *doc, const char *suite_name,
			      const char *key)
{
	char line[1024];

	bench_format_not_measured(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "suites"),
						 suite_name), "systems"), key, line, sizeof(line));
	bench_gp_footnote(g, line);
}

static void plot_startup(const cJSON *doc, const char *dir, struct bench_text *d, struct bench_text *g)
{
	const cJSON *s;
	double lo = 0, hi = 0;
	int rows = 0;

	script_head(g, doc, "startup", "startup",
		    "Start-up: launch to the probe's first line, and to exit (median, bars: its 95% CI)");
	bench_text_append(d, "# system  first_ms ci_lo ci_hi  exit_ms ci_lo ci_hi\n");
	cJSON_ArrayForEach(s, systems_of(doc, "startup")) {
		const cJSON *fj = cJSON_GetObjectItemCaseSensitive(s, "first_line");
		const cJSON *xj = cJSON_GetObjectItemCaseSensitive(s, "exit");
		struct bench_summary f, x;
		double a[3], b[3];

		if (bench_summary_from_json(fj, &f) < 0 || bench_summary_from_json(xj, &x) < 0 ||
		    f.n == 0)
			continue;
		median_ci_ms(fj, &f, a);
		median_ci_ms(xj, &x, b);
		bench_text_printf(d, "\"%s\" %.6f %.6f %.6f %.6f %.6f %.6f\n",
				  bench_json_string(s, "name", "?"), a[0], a[1], a[2], b[0], b[1], b[2]);
		widen(&lo, &hi, a, 3);
		widen(&lo, &hi, b, 3);
		rows++;
	}
	if (rows == 0) {
		no_data(g, "no start-up figures");
	} else {
		bench_gp_value_axis(g, lo, hi, "ms");
		not_measured_note(g, doc, "startup", "first_line");
		bench_text_append(g, "set style data histogram\nset style histogram errorbars gap 2 lw 1\n"
				     "set style fill solid 0.6 border -1\nset boxwidth 0.9\n"
				     "set xtics rotate by 30 right\n"
				     "plot 'startup.dat' using 2:3:4:xtic(1) title 'to first line', "
				     "'' using 5:6:7 title 'to exit'\n");
	}
	script_tail(g, "startup");
}

static int plot_cdf(const cJSON *doc, const char *dir, struct bench_text *g, struct isolab_error *err)
{
	const cJSON *s;
	int files = 0, rc;

	script_head(g, doc, "startup", "startup_cdf", "Start-up: CDF of launch to the probe's first line");
	not_measured_note(g, doc, "startup", "first_line");
	cJSON_ArrayForEach(s, systems_of(doc, "startup")) {
		const cJSON *first = cJSON_GetObjectItemCaseSensitive(s, "first_line");
		struct bench_text d = { 0 };
		double *v = NULL, *xs, *ys;
		int n = first ? bench_samples_from_json(first, &v) : -1, i;
		char name[64];

		if (n <= 0) {
			free(v);
			continue;
		}
		xs = calloc((size_t)n, sizeof(double));
		ys = calloc((size_t)n, sizeof(double));
		if (xs && ys) {
			bench_cdf(v, (size_t)n, xs, ys);
			bench_text_printf(&d, "# %s: ms cumulative_fraction\n", bench_json_string(s, "name", "?"));
			for (i = 0; i < n; i++)
				bench_text_printf(&d, "%.6f %.6f\n", xs[i] / 1e6, ys[i]);
		}
		snprintf(name, sizeof(name), "startup_cdf_%d.dat", files);
		rc = write_text(dir, name, d.s, err);
		free(v);
		free(xs);
		free(ys);
		bench_text_free(&d);
		if (rc < 0)
			return rc;
		bench_text_printf(g, "%s'%s' using 1:2 with steps lw 2 title \"%s\"",
				  files ? ", \\\n  " : "set xlabel 'ms (log scale)'\nset ylabel 'fraction of runs'\n"
						      "set logscale x\nset format x '%g'\nset yrange [0:1.05]\n"
						      "set key outside right top\nplot ",
				  name, bench_json_string(s, "name", "?"));
		files++;
	}
	if (files == 0)
		no_data(g, "no start-up samples");
	else
		bench_text_append(g, "\n");
	script_tail(g, "startup_cdf");
	return 0;
}

struct point {
	const char *name;
	double ms;
};

static int by_ms(const void *a, const void *b)
{
	double x = ((const struct point *)a)->ms, y = ((const struct point *)b)->ms;

	return (x > y) - (x < y);
}

/*
 * One row per VM system. isolab-vmm: its --stats times, sorted by median,
 * read as points on one time line from VMM start; the segments between
 * consecutive points, then up to the probe's first line. Other VMs: one
 * segment, launch to first line.
 */
static void plot_phases(const cJSON *doc, const char *dir, struct bench_text *d, struct bench_text *g)
{
	struct point pts[32] = { { NULL, 0 } };
	const cJSON *s, *vmm = NULL;
	int npts = 0, rows = 0, i;

	cJSON_ArrayForEach(s, systems_of(doc, "startup"))
		if (cJSON_GetObjectItemCaseSensitive(s, "stats_times") != NULL && vmm == NULL &&
		    strcmp(bench_json_string(s, "kind", ""), "vm") == 0)
			vmm = s;
	if (vmm != NULL) {
		const cJSON *p;

		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(vmm, "stats_times")) {
			struct bench_summary v;

			/* the VM's end comes after the first line: not a boot phase */
			if (npts < 31 && strstr(p->string, "exit") == NULL &&
			    bench_summary_from_json(p, &v) == 0 && v.median > 0) {
				const char *dot = strrchr(p->string, '.');

				pts[npts].name = dot ? dot + 1 : p->string;
				pts[npts++].ms = v.median / 1e6;
			}
		}
		qsort(pts, (size_t)npts, sizeof(pts[0]), by_ms);
	}
	pts[npts].name = "probe's first line read by isolab-bench";
	pts[npts++].ms = 0;
	script_head(g, doc, "startup", "vmm_phases", "VM boot: phases to the probe's first line (medians)");
	bench_text_append(d, "system");
	for (i = 0; i < npts; i++)
		bench_text_printf(d, " \"until %s\"", pts[i].name);
	bench_text_append(d, "\n");
	cJSON_ArrayForEach(s, systems_of(doc, "startup")) {
		struct bench_summary f;
		double prev = 0;

		if (strcmp(bench_json_string(s, "kind", ""), "vm") != 0 ||
		    bench_summary_from_json(cJSON_GetObjectItemCaseSensitive(s, "first_line"), &f) < 0 ||
		    f.n == 0)
			continue;
		bench_text_printf(d, "\"%s\"", bench_json_string(s, "name", "?"));
		for (i = 0; i < npts - 1; i++) {
			double seg = s == vmm ? pts[i].ms - prev : 0;

			bench_text_printf(d, " %.6f", seg > 0 ? seg : 0);
			if (s == vmm && pts[i].ms > prev)
				prev = pts[i].ms;
		}
		bench_text_printf(d, " %.6f\n", f.median / 1e6 - prev > 0 ? f.median / 1e6 - prev : 0);
		rows++;
	}
	if (rows == 0) {
		no_data(g, "no VM was measured (no /dev/kvm or no VMM)");
	} else {
		bench_text_printf(g, "set ylabel 'ms'\nset style data histogram\n"
				     "set style histogram rowstacked\nset style fill solid 0.7 border -1\n"
				     "set boxwidth 0.5\nset key outside right top\n"
				     "plot for [c=2:%d] 'vmm_phases.dat' using c:xtic(1) title columnheader(c)\n",
				  npts + 1);
	}
	script_tail(g, "vmm_phases");
}

static void plot_memory(const cJSON *doc, const char *dir, struct bench_text *d, struct bench_text *g)
{
	const cJSON *s;
	int rows = 0;

	script_head(g, doc, "memory", "memory", "Host memory per instance (probe hold)");
	bench_text_append(d, "# system instance_MiB own_stats_MiB memavailable_drop_MiB\n");
	cJSON_ArrayForEach(s, systems_of(doc, "memory")) {
		if (cJSON_GetObjectItemCaseSensitive(s, "instance_bytes") == NULL)
			continue;
		bench_text_printf(d, "\"%s\" %.4f %.4f %.4f\n", bench_json_string(s, "name", "?"),
				  bench_json_number(s, "instance_bytes", 0) / MIB,
				  bench_json_number(s, "stats_bytes", 0) / MIB,
				  bench_json_number(s, "mem_available_drop_bytes", 0) / MIB);
		rows++;
	}
	if (rows == 0)
		no_data(g, "no memory figures");
	else
		bench_text_append(g, "set ylabel 'MiB'\nset style data histogram\n"
				     "set style histogram clustered gap 1\nset style fill solid 0.6 border -1\n"
				     "set xtics rotate by -30\nset yrange [0:*]\n"
				     "plot 'memory.dat' using 2:xtic(1) title 'instance (tree RSS + cgroup)', "
				     "'' using 3 title 'own --stats', '' using 4 title 'MemAvailable drop'\n");
	script_tail(g, "memory");
}

/*
 * The density picture's two panels, side by side in one multiplot, one
 * line per system over log-2 N: the per-instance memory (median, bars p5
 * to p95 of the MemAvailable readings' pairs) and the start-up of one
 * more instance while N are held (median, bars p5 to p95). A multiplot
 * cannot be replotted: its lines are written twice, for the PNG and the
 * SVG, and each panel first undoes what the one before set.
 */
#define DENSITY_PANEL_RESET "unset logscale y\nset autoscale y\nset ytics autofreq\nunset mytics\n" \
			    "set format y '%g'\n"

/* script_head's lines with its title made the multiplot's title. */
static void density_multiplot_head(struct bench_text *t, const char *head)
{
	static const char prefix[] = "set title ";
	const char *nl = strchr(head, '\n');

	if (strncmp(head, prefix, sizeof(prefix) - 1) != 0 || nl == NULL) {
		bench_text_printf(t, "set multiplot layout 1,2\n%s", head);
		return;
	}
	bench_text_printf(t, "set multiplot layout 1,2 title %.*s\n%s",
			  (int)(nl - head - (sizeof(prefix) - 1)), head + sizeof(prefix) - 1, nl + 1);
}

/* A summary's median, p5, p95 scaled by 1/div, or NaN (a gap) without one. */
static void density_cells(const cJSON *summary, double div, double out[3])
{
	struct bench_summary v;

	if (bench_summary_from_json(summary, &v) < 0 || v.n == 0) {
		out[0] = out[1] = out[2] = NAN;
		return;
	}
	out[0] = v.median / div;
	out[1] = v.p5 / div;
	out[2] = v.p95 / div;
}

/* Where each system's sweep stopped, and the bound, for the footnote: lines of at most ~110 characters. */
static void density_stops(const cJSON *doc, char *buf, size_t size)
{
	const cJSON *mem = suite(doc, "memory"), *s;
	size_t used, line_start = 0;

	if (cJSON_GetObjectItemCaseSensitive(mem, "safety_bound_bytes") == NULL) {
		/* a results file from before the bound: the sweep had a fixed end */
		snprintf(buf, size, "swept to a fixed maximum (no safety bound in this results file)");
		return;
	}
	used = (size_t)snprintf(buf, size, "safety bound: no instance started that would leave "
				"MemAvailable under %.0f MiB (%s)\nstopped:",
				bench_json_number(mem, "safety_bound_bytes", 0) / MIB,
				bench_json_string(mem, "safety_bound_rule", "?"));
	if (used < size)
		line_start = (size_t)(strrchr(buf, '\n') - buf) + 1;
	cJSON_ArrayForEach(s, systems_of(doc, "memory")) {
		const cJSON *p, *last = NULL;
		char reason[48], item[128];

		if (used >= size || cJSON_GetObjectItemCaseSensitive(s, "stopped") == NULL)
			continue;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "density"))
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "ok")))
				last = p;
		snprintf(reason, sizeof(reason), "%s", bench_json_string(s, "stopped", "?"));
		if (strncmp(reason, "instance failed", 15) == 0)
			reason[15] = '\0';
		snprintf(item, sizeof(item), " %s at %.0f (%s);", bench_json_string(s, "name", "?"),
			 bench_json_number(last, "instances", 0), reason);
		if (used - line_start + strlen(item) > 110 && used + 1 < size) {
			buf[used++] = '\n';
			buf[used] = '\0';
			line_start = used;
		}
		used += (size_t)snprintf(buf + used, size - used, "%s", item);
	}
	if (used < size && used > 0 && buf[used - 1] == ';')
		buf[used - 1] = '\0';
}

static int plot_density(const cJSON *doc, const char *dir, struct bench_text *g, struct isolab_error *err)
{
	struct bench_text head = { 0 }, body = { 0 }, mem = { 0 }, start = { 0 };
	const cJSON *s, *p;
	double mmin = 0, slo = 0, shi = 0;
	char stops[1024];
	int files = 0, starts = 0, rc = 0;

	cJSON_ArrayForEach(s, systems_of(doc, "memory")) {
		struct bench_text d = { 0 };
		char name[64];
		int points = 0;

		bench_text_printf(&d, "# %s: N per_instance_MiB p5 p95 next_start_ms p5 p95\n",
				  bench_json_string(s, "name", "?"));
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "density")) {
			double m[3], t[3];

			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "ok")))
				continue;
			density_cells(cJSON_GetObjectItemCaseSensitive(p, "per_instance"), MIB, m);
			if (isnan(m[0])) /* a file from before the spread: its one reading */
				m[0] = m[1] = m[2] = bench_json_number(p, "per_instance_bytes", 0) / MIB;
			density_cells(cJSON_GetObjectItemCaseSensitive(p, "next_start_ns"), 1e6, t);
			bench_text_printf(&d, "%.0f %.6f %.6f %.6f %.6f %.6f %.6f\n",
					  bench_json_number(p, "instances", 0), m[0], m[1], m[2], t[0], t[1],
					  t[2]);
			if (m[1] < mmin) /* a drop that read negative: noise, drawn too */
				mmin = m[1];
			widen(&slo, &shi, t, 3);
			starts += !isnan(t[0]);
			points++;
		}
		if (points == 0) {
			bench_text_free(&d);
			continue;
		}
		snprintf(name, sizeof(name), "density_%d.dat", files);
		rc = write_text(dir, name, d.s, err);
		bench_text_free(&d);
		if (rc < 0)
			goto out;
		bench_text_printf(&mem, "%s'%s' using 1:2:3:4 with yerrorlines lw 2 title \"%s\"",
				  files ? ", \\\n  " : "plot ", name, bench_json_string(s, "name", "?"));
		bench_text_printf(&start, "%s'%s' using 1:5:6:7 with yerrorlines lw 2 title \"%s\"",
				  files ? ", \\\n  " : "plot ", name, bench_json_string(s, "name", "?"));
		files++;
	}
	script_head(&head, doc, "memory", "density",
		    "Density: N instances held at once (median, bars: p5 to p95)");
	if (files == 0) {
		bench_text_append(g, head.s);
		no_data(g, "no density sweep");
		script_tail(g, "density");
		goto out;
	}
	density_multiplot_head(&body, head.s);
	density_stops(doc, stops, sizeof(stops));
	bench_gp_footnote(&body, stops);
	bench_text_append(&body, "set xlabel 'instances held at once, N (log scale)'\n"
				 "set logscale x 2\nset format x '%.0f'\nset offsets graph 0.04, graph 0.04, 0, 0\n"
				 "set title 'memory per instance: MemAvailable drop / N'\n" DENSITY_PANEL_RESET);
	/* linear, from below 0 when a small N read negative (MemAvailable rose meanwhile) */
	bench_text_printf(&body, "set ylabel 'MiB per instance'\nset yrange [%s:*]\n"
				 "set xzeroaxis lt -1\n", mmin < 0 ? "*" : "0");
	bench_text_printf(&body, "%s\nset title 'start-up of one more instance while N run'\n"
				 "unset xzeroaxis\n%s", mem.s, DENSITY_PANEL_RESET);
	if (starts > 0) {
		bench_gp_value_axis(&body, slo, shi, "ms to its ready line");
		bench_text_printf(&body, "%s\nunset multiplot\n", start.s);
	} else { /* a results file from before this measurement */
		bench_text_append(&body, "unset xtics\nunset ytics\nunset xlabel\nunset ylabel\n"
					 "set label 91 \"not measured in this run\" at graph 0.5, graph 0.5 center\n"
					 "plot [1:2][0:1] NaN notitle\nunset label 91\nunset multiplot\n");
	}
	bench_text_printf(g, "%sset terminal @svg_terminal\nset output 'density.svg'\n%sunset output\n",
			  body.s, body.s);
out:
	bench_text_free(&head);
	bench_text_free(&body);
	bench_text_free(&mem);
	bench_text_free(&start);
	return rc;
}

static bool listed(const char *const *list, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static void plot_syscall(const cJSON *doc, const char *dir, struct bench_text *d, struct bench_text *g)
{
	const cJSON *ratios = cJSON_GetObjectItemCaseSensitive(suite(doc, "syscall"), "ratios"), *r;
	const char *systems[8] = { NULL }, *ops[32] = { NULL };
	struct bench_text missing = { 0 }, marks = { 0 };
	double lo = 0, hi = 0;
	int nsys = 0, nops = 0, i, j;

	cJSON_ArrayForEach(r, ratios) {
		const char *sy = bench_json_string(r, "system", "?"), *op = bench_json_string(r, "op", "?");

		if (!listed(systems, nsys, sy) && nsys < 8)
			systems[nsys++] = sy;
		if (!listed(ops, nops, op) && nops < 32)
			ops[nops++] = op;
	}
	script_head(g, doc, "syscall", "syscall", "Per-operation cost as a ratio to native (medians, bars: 95% CI)");
	bench_text_append(d, "op");
	for (j = 0; j < nsys; j++)
		bench_text_printf(d, " \"%s\" lo hi", systems[j]);
	bench_text_append(d, "\n");
	for (i = 0; i < nops; i++) {
		bench_text_printf(d, "\"%s\"", ops[i]);
		for (j = 0; j < nsys; j++) {
			double v = -1;
			struct bench_interval ci = { -1, -1 };

			cJSON_ArrayForEach(r, ratios)
				if (strcmp(bench_json_string(r, "system", ""), systems[j]) == 0 &&
				    strcmp(bench_json_string(r, "op", ""), ops[i]) == 0) {
					v = bench_json_number(r, "ratio", -1);
					if (bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(r, "ci95"),
								 &ci) < 0)
						ci.lo = ci.hi = v;
				}
			if (v > 0) {
				const double all[3] = { v, ci.lo, ci.hi };

				bench_text_printf(d, " %.6f %.6f %.6f", v, ci.lo, ci.hi);
				widen(&lo, &hi, all, 3);
			} else {
				bench_text_append(d, " NaN NaN NaN");
				bench_gp_missing_mark(&marks, bench_gp_histogram_x(i, j, nsys, 1), j + 1);
				bench_text_printf(&missing, "%s%s %s", missing.s ? ", " : "no ratio: ",
						  systems[j], ops[i]);
			}
		}
		bench_text_append(d, "\n");
	}
	if (nsys == 0) {
		no_data(g, "no system besides native measured");
	} else {
		char line[1024];

		bench_format_not_measured(cJSON_GetObjectItemCaseSensitive(suite(doc, "syscall"), "systems"),
					  "ops", line, sizeof(line));
		if (missing.s != NULL && missing.len < sizeof(line) - strlen(line) - 2)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s",
				 line[0] ? "\n" : "", missing.s);
		bench_gp_footnote(g, line);
		bench_text_append(g, marks.s ? marks.s : "");
		bench_gp_log_axis(g, lo, hi, "ratio to native");
		bench_text_append(g, "set key top left Left reverse\n");
		bench_text_append(g, "set style data histogram\nset style histogram errorbars gap 1 lw 1\n"
				     "set style fill solid 0.6 border -1\nset xtics rotate by 30 right\nplot ");
		for (j = 0; j < nsys; j++)
			bench_text_printf(g, "'syscall.dat' using %d:%d:%d%s title columnheader(%d), ",
					  2 + 3 * j, 3 + 3 * j, 4 + 3 * j, j ? "" : ":xtic(1)", 2 + 3 * j);
		bench_text_append(g, "1 with lines dt 2 lc 'black' title 'native = 1'\n");
	}
	bench_text_free(&missing);
	bench_text_free(&marks);
	script_tail(g, "syscall");
}

/* Per builder: the cached rebuild (median, its 95% CI) and the first, uncached build. */
static void plot_build(const cJSON *doc, const char *dir, struct bench_text *d, struct bench_text *g)
{
	const cJSON *s;
	struct bench_text missing = { 0 }, marks = { 0 };
	double lo = 0, hi = 0;
	int rows = 0;

	script_head(g, doc, "build", "build", "Build: a fully cached rebuild of bench/build (median, bars: 95% CI), and the first build");
	bench_text_append(d, "# builder  rebuild_ms ci_lo ci_hi  first_build_ms\n");
	cJSON_ArrayForEach(s, systems_of(doc, "build")) {
		const cJSON *rj = cJSON_GetObjectItemCaseSensitive(s, "rebuild");
		struct bench_summary v, f;
		double first = -1, m[3];

		if (bench_summary_from_json(rj, &v) < 0 || v.n == 0)
			continue;
		median_ci_ms(rj, &v, m);
		if (bench_summary_from_json(cJSON_GetObjectItemCaseSensitive(s, "first_build"), &f) == 0 &&
		    f.n > 0)
			first = f.median;
		bench_text_printf(d, "\"%s\" %.6f %.6f %.6f ", bench_json_string(s, "name", "?"), m[0],
				  m[1], m[2]);
		if (first > 0) {
			const double f_ms = first / 1e6;

			bench_text_printf(d, "%.6f\n", f_ms);
			widen(&lo, &hi, &f_ms, 1);
		} else {
			bench_text_append(d, "NaN\n");
			bench_gp_missing_mark(&marks, bench_gp_histogram_x(rows, 1, 2, 2), 2);
			bench_text_printf(&missing, "%s%s", missing.s ? ", " : "no first build: ",
					  bench_json_string(s, "name", "?"));
		}
		widen(&lo, &hi, m, 3);
		rows++;
	}
	if (rows == 0) {
		no_data(g, "no builder measured");
	} else {
		char line[1024];

		bench_format_not_measured(systems_of(doc, "build"), "rebuild", line, sizeof(line));
		if (missing.s != NULL && missing.len < sizeof(line) - strlen(line) - 2)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s",
				 line[0] ? "\n" : "", missing.s);
		bench_gp_footnote(g, line);
		bench_text_append(g, marks.s ? marks.s : "");
		bench_gp_value_axis(g, lo, hi, "ms");
		bench_text_append(g, "set style data histogram\nset style histogram errorbars gap 2 lw 1\n"
				     "set style fill solid 0.6 border -1\nset boxwidth 0.9\n"
				     "plot 'build.dat' using 2:3:4:xtic(1) title 'cached rebuild', "
				     "'' using 5:5:5 title 'first (uncached) build'\n");
	}
	bench_text_free(&missing);
	bench_text_free(&marks);
	script_tail(g, "build");
}

/*
 * The lifecycle suite: one group of bars per phase (create, start, wait,
 * delete, total), one bar per runtime: its median, its 95% CI as the error bar.
 */
static void plot_lifecycle(const cJSON *doc, const char *dir, struct bench_text *d,
			   struct bench_text *g)
{
	const cJSON *s, *runtimes[BENCH_MAX_PLOT_SERIES];
	struct bench_text marks = { 0 };
	double lo = 0, hi = 0;
	int n = 0, i, k;

	cJSON_ArrayForEach(s, systems_of(doc, "lifecycle")) {
		struct bench_summary v;

		if (n < BENCH_MAX_PLOT_SERIES &&
		    bench_summary_from_json(cJSON_GetObjectItemCaseSensitive(s, "total"), &v) == 0 &&
		    v.n > 0)
			runtimes[n++] = s;
	}
	script_head(g, doc, "lifecycle", "lifecycle",
		    "OCI lifecycle of /bin/true: each phase per runtime (median, bars: 95% CI)");
	bench_text_append(d, "# phase, then per runtime: median_ms ci_lo ci_hi\nphase");
	for (i = 0; i < n; i++)
		bench_text_printf(d, " \"%s\" lo hi", bench_json_string(runtimes[i], "name", "?"));
	bench_text_append(d, "\n");
	for (k = 0; k < BENCH_LC_PHASES; k++) {
		bench_text_printf(d, "\"%s\"", bench_lc_phase_names[k]);
		for (i = 0; i < n; i++) {
			const cJSON *pj = cJSON_GetObjectItemCaseSensitive(runtimes[i],
									   bench_lc_phase_names[k]);
			struct bench_summary v;
			double m[3];

			if (bench_summary_from_json(pj, &v) == 0 && v.n > 0) {
				median_ci_ms(pj, &v, m);
				bench_text_printf(d, " %.6f %.6f %.6f", m[0], m[1], m[2]);
				widen(&lo, &hi, m, 3);
			} else {
				bench_text_append(d, " NaN NaN NaN");
				bench_gp_missing_mark(&marks, bench_gp_histogram_x(k, i, n, 2), i + 1);
			}
		}
		bench_text_append(d, "\n");
	}
	if (n == 0) {
		no_data(g, "no OCI runtime measured");
	} else {
		not_measured_note(g, doc, "lifecycle", "total");
		bench_text_append(g, marks.s ? marks.s : "");
		bench_gp_value_axis(g, lo, hi, "ms");
		bench_text_append(g, "set style data histogram\nset style histogram errorbars gap 2 lw 1\n"
				     "set style fill solid 0.6 border -1\nset boxwidth 0.9\n"
				     "plot ");
		for (i = 0; i < n; i++)
			bench_text_printf(g, "%s'lifecycle.dat' using %d:%d:%d%s title columnheader(%d)",
					  i ? ", " : "", 2 + 3 * i, 3 + 3 * i, 4 + 3 * i,
					  i ? "" : ":xtic(1)", 2 + 3 * i);
		bench_text_append(g, "\n");
	}
	bench_text_free(&marks);
	script_tail(g, "lifecycle");
}

/* A ratio entry's value of key and its interval (the value itself without one) into out[3]. */
static void ratio_cells(const cJSON *r, const char *key, double out[3])
{
	struct bench_interval ci;
	double v = bench_json_number(r, key, -1);

	out[0] = out[1] = out[2] = v > 0 ? v : NAN;
	if (v > 0 && bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(
			     cJSON_GetObjectItemCaseSensitive(r, "ci95"), key), &ci) == 0) {
		out[1] = ci.lo;
		out[2] = ci.hi;
	}
}

/*
 * The network suite: two panels of one multiplot (written twice, for the
 * PNG and the SVG, as the density picture), each system's ratio to native
 * with its 95% CI: the round trip's median (and its p99, and the published
 * KVM ratio beside them) and the stream's throughput.
 */
static int plot_network(const cJSON *doc, const char *dir, struct bench_text *g,
			struct isolab_error *err)
{
	const cJSON *ratios = cJSON_GetObjectItemCaseSensitive(suite(doc, "network"), "ratios"), *r;
	struct bench_text d = { 0 }, head = { 0 }, body = { 0 };
	char line[1024];
	size_t k;
	int rows = 0, rc = 0;

	bench_text_append(&d, "# system rr lo hi rr_p99 stream lo hi (ratios to native)\n");
	cJSON_ArrayForEach(r, ratios) {
		double rr[3], st[3], p99 = bench_json_number(r, "rr_p99", -1);
		char name[128];
		const char *slash;

		snprintf(name, sizeof(name), "%s", bench_json_string(r, "name", "?"));
		if ((slash = strchr(name, '/')) != NULL)
			name[slash - name] = '\0';
		ratio_cells(r, "rr", rr);
		ratio_cells(r, "stream", st);
		bench_text_printf(&d, "\"%s\" %.6f %.6f %.6f %.6f %.6f %.6f %.6f\n", name, rr[0], rr[1],
				  rr[2], p99 > 0 ? p99 : NAN, st[0], st[1], st[2]);
		rows++;
	}
	for (k = 0; k < bench_net_published_count; k++) {
		const struct bench_net_published *p = &bench_net_published[k];
		double v = p->value_us / p->native_us;

		bench_text_printf(&d, "\"%s, published\" %.6f %.6f %.6f NaN NaN NaN NaN\n", p->label, v,
				  v, v);
	}
	script_head(&head, doc, "network", "network",
		    "TCP as a ratio to native (medians, bars: 95% CI)");
	if (rows == 0) {
		bench_text_append(g, head.s);
		no_data(g, "no system besides native measured");
		script_tail(g, "network");
		goto out;
	}
	rc = write_text(dir, "network.dat", d.s, err);
	if (rc < 0)
		goto out;
	density_multiplot_head(&body, head.s);
	bench_format_not_measured(systems_of(doc, "network"), "rr", line, sizeof(line));
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "%spublished: %s",
		 line[0] ? "\n" : "", bench_net_published_count ? bench_net_published[0].source : "-");
	bench_gp_footnote(&body, line);
	/* the category labels are system names, longer than most: more room under them */
	bench_text_printf(&body, "set bmargin %d\n", 10 + (strchr(line, '\n') != NULL));
	bench_text_append(&body, "set key top left\nset yrange [0:*]\nset xtics rotate by 30 right\n"
				 "set style data histogram\nset style histogram errorbars gap 1 lw 1\n"
				 "set style fill solid 0.6 border -1\n"
				 "set title 'round trip (1 byte each way): above 1 is slower'\n"
				 "set ylabel 'ratio to native'\n"
				 "plot 'network.dat' using 2:3:4:xtic(1) title 'median', "
				 "'' using 5:5:5 title 'p99', 1 with lines dt 2 lc 'black' title 'native = 1'\n"
				 "set title 'stream throughput: below 1 is slower'\n");
	/* the measured rows only: the publication has no stream figure */
	bench_text_printf(&body, "plot 'network.dat' every ::0::%d using 6:7:8:xtic(1) title 'median', "
				 "1 with lines dt 2 lc 'black' title 'native = 1'\nunset multiplot\n",
			  rows - 1);
	bench_text_printf(g, "%sset terminal @svg_terminal\nset output 'network.svg'\n%sunset output\n",
			  body.s, body.s);
out:
	bench_text_free(&d);
	bench_text_free(&head);
	bench_text_free(&body);
	return rc;
}

int bench_plot_all(const cJSON *doc, const char *dir, const struct bench_plot_style *style,
		   struct isolab_error *err)
{
	size_t k;
	int rc = 0;

	rc = isolab_mkdir_p(dir, 0755);
	if (rc < 0)
		return isolab_error_errno(err, rc, "create `%s`", dir);
	for (k = 0; k < bench_plot_count && rc == 0; k++) {
		const char *name = bench_plot_names[k];
		struct bench_text d = { 0 }, g = { 0 };
		char file[64];

		bench_gp_head(&g, style, name);
		if (strcmp(name, "startup") == 0)
			plot_startup(doc, dir, &d, &g);
		else if (strcmp(name, "startup_cdf") == 0)
			rc = plot_cdf(doc, dir, &g, err);
		else if (strcmp(name, "vmm_phases") == 0)
			plot_phases(doc, dir, &d, &g);
		else if (strcmp(name, "memory") == 0)
			plot_memory(doc, dir, &d, &g);
		else if (strcmp(name, "density") == 0)
			rc = plot_density(doc, dir, &g, err);
		else if (strcmp(name, "build") == 0)
			plot_build(doc, dir, &d, &g);
		else if (strcmp(name, "lifecycle") == 0)
			plot_lifecycle(doc, dir, &d, &g);
		else if (strcmp(name, "network") == 0)
			rc = plot_network(doc, dir, &g, err);
		else
			plot_syscall(doc, dir, &d, &g);
		if (rc == 0 && (d.failed || g.failed))
			rc = isolab_error_set(err, -ENOMEM, "plot %s: out of memory", name);
		if (rc == 0 && d.s != NULL) {
			snprintf(file, sizeof(file), "%s.dat", name);
			rc = write_text(dir, file, d.s, err);
		}
		if (rc == 0) {
			snprintf(file, sizeof(file), "%s.gp", name);
			rc = write_text(dir, file, g.s, err);
		}
		if (rc == 0)
			rc = bench_gp_run(dir, name, err);
		bench_text_free(&d);
		bench_text_free(&g);
	}
	return rc;
}
