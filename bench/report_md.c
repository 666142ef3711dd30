/* report_md.c: REPORT.md's text from a results document (pure; see report.h). */
#include "bench/checkpoint.h"
#include "bench/lifecycle.h"
#include "bench/netstats.h"
#include "bench/report.h"
#include "bench/results.h"
#include "bench/table.h"

#include <stdio.h>
#include <string.h>

static const char *str(const cJSON *o, const char *k)
{
	return bench_json_string(o, k, "-");
}

/* obj's "ci95" ([lo, hi]) into *buf: buf, or NULL when obj has none. */
static const struct bench_interval *ci_of(const cJSON *obj, struct bench_interval *buf)
{
	return bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(obj, "ci95"), buf) == 0 ? buf
											      : NULL;
}

/* A ratio entry's interval for key: its "ci95" object's [lo, hi] there; or NULL. */
static const struct bench_interval *ratio_ci(const cJSON *r, const char *key,
					     struct bench_interval *buf)
{
	const cJSON *ci = cJSON_GetObjectItemCaseSensitive(r, "ci95");

	return bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(ci, key), buf) == 0 ? buf
											     : NULL;
}

/* summary[median] with its interval, or "-" without a median. */
static void median_cell(const cJSON *summary, char *buf, size_t size)
{
	struct bench_summary v;
	struct bench_interval ci;

	if (bench_summary_from_json(summary, &v) < 0 || v.n == 0)
		snprintf(buf, size, "-");
	else
		bench_format_ns_ci(v.median, ci_of(summary, &ci), buf, size);
}

/* The line under a table of medians or ratios: what the brackets are. */
static void interval_note(struct bench_text *t, const char *over)
{
	bench_text_printf(t, "In brackets: the 95%% confidence interval, a percentile bootstrap over "
			     "%s (B = %u resamples, seed %#llx); none with fewer than %u.\n\n",
			  over, BENCH_CI_RESAMPLES, (unsigned long long)BENCH_CI_SEED, BENCH_CI_MIN_N);
}

/* The rounds, their shuffled orders and the warm-ups of a suite that has them. */
static void rounds_note(struct bench_text *t, const cJSON *suite, const char *runs_of)
{
	const cJSON *order = cJSON_GetObjectItemCaseSensitive(suite, "order"), *round, *name, *s;
	const cJSON *seed = cJSON_GetObjectItemCaseSensitive(suite, "seed");
	int shown = 0, total = cJSON_GetArraySize(order), warm = 0;
	char seed_text[32];

	if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(suite, "rounds")))
		return; /* a results file from before rounds */
	if (cJSON_IsNumber(seed))
		snprintf(seed_text, sizeof(seed_text), "%.0f", seed->valuedouble);
	else
		snprintf(seed_text, sizeof(seed_text), "%s", str(suite, "seed"));
	bench_text_printf(t, "Order: the %s in %.0f interleaved rounds, shuffled each round "
			     "(seed %s, %s):", runs_of, bench_json_number(suite, "rounds", 0), seed_text,
			  strcmp(str(suite, "seed_from"), "option") == 0 ? "given with --seed"
								: "drawn at random");
	cJSON_ArrayForEach(round, order) {
		int k = 0;

		if (shown == 5)
			break;
		bench_text_printf(t, "%s round %d: ", shown ? ";" : "", shown + 1);
		cJSON_ArrayForEach(name, round) {
			bench_text_printf(t, "%s%s", k++ ? ", " : "",
					  cJSON_IsString(name) ? name->valuestring : "?");
		}
		shown++;
	}
	if (total > shown)
		bench_text_printf(t, "; ... (all %d in the results file's `order`)", total);
	bench_text_append(t, ".");
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(suite, "systems")) {
		if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(s, "warmup")))
			continue;
		bench_text_printf(t, "%s %s %.0f", warm++ ? "," : " Warm-up runs, discarded:", str(s, "name"),
				  bench_json_number(s, "warmup", 0));
	}
	bench_text_append(t, warm ? ".\n\n" : "\n\n");
}

static void environment(struct bench_text *t, const cJSON *env)
{
	static const char *const head[] = { "what", "value" };
	static const char *const keys[] = { "name", "kvm", "kernel", "cpu", "cgroup", "host_kernel",
					    "host_cpu", "git_commit", "git_tree", "timestamp" };
	const cJSON *peers = cJSON_GetObjectItemCaseSensitive(env, "peers"), *p;
	char buf[64];
	size_t i;

	bench_text_append(t, "## Environment\n\n");
	bench_table_header(t, head, 2);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *row[2] = { keys[i], str(env, keys[i]) };

		if (cJSON_GetObjectItemCaseSensitive(env, keys[i]) != NULL)
			bench_table_row(t, row, 2);
	}
	snprintf(buf, sizeof(buf), "%.0f", bench_json_number(env, "cpus", 0));
	{
		const char *row[2] = { "cpus", buf };

		bench_table_row(t, row, 2);
	}
	cJSON_ArrayForEach(p, peers) {
		char name[80];
		const char *row[2] = { name, cJSON_IsString(p) ? p->valuestring : "not installed" };

		snprintf(name, sizeof(name), "peer %s", p->string);
		bench_table_row(t, row, 2);
	}
	bench_text_append(t, "\n");
}

static void lab_caveat(struct bench_text *t, const cJSON *env)
{
	if (strcmp(str(env, "kvm"), "lab") != 0)
		return;
	bench_text_append(t,
		"> **Measured inside the nested-KVM lab.** The lab is a QEMU TCG machine: every\n"
		"> instruction of every system below was emulated in software, and a VM exit costs\n"
		"> tens of microseconds instead of one or two. Absolute times do not describe real\n"
		"> hardware. Compare ratios between systems within this run only, never with\n"
		"> figures from another run or another machine.\n\n");
}

/* Whether the run finished, how often it was resumed, and every unit that failed. */
static void run_status(struct bench_text *t, const cJSON *doc)
{
	const cJSON *progress = cJSON_GetObjectItemCaseSensitive(doc, "progress"), *f;
	int failed = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(progress, "failed"));
	int resumes = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(progress, "resumes"));

	if (progress == NULL)
		return; /* a results file from before checkpoints */
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(progress, "complete")))
		bench_text_append(t, "> **This run is incomplete**: it stopped before every unit was "
				     "measured. What is below is what finished; `isolab-bench run --resume "
				     "FILE` goes on with it.\n\n");
	if (failed == 0 && resumes == 0)
		return;
	bench_text_printf(t, "## Run status\n\nThe run was taken up again %d time(s) after the "
			     "harness (or the lab it ran in) stopped; %d unit(s) failed and were not "
			     "measured:\n\n", resumes, failed);
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(progress, "failed")) {
		bench_text_printf(t, "- `%s`: %s\n", str(f, "unit"), str(f, "reason"));
	}
	bench_text_append(t, "\n");
}

static void not_available(struct bench_text *t, const cJSON *systems)
{
	const cJSON *s;
	int header = 0;

	cJSON_ArrayForEach(s, systems) {
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "available")))
			continue;
		if (!header++)
			bench_text_append(t, "Not measured here:\n\n");
		bench_text_printf(t, "- %s: %s\n", str(s, "name"), str(s, "note"));
	}
	if (header)
		bench_text_append(t, "\n");
}

/* Each system's last failure, when it had one: "- NAME: N WHAT failed; the last: ...". */
static void last_errors(struct bench_text *t, const cJSON *systems, const char *what)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, systems)
		if (cJSON_GetObjectItemCaseSensitive(s, "last_error") != NULL)
			bench_text_printf(t, "- %s: %.0f %s failed; the last: %s\n\n", str(s, "name"),
					  bench_json_number(s, "failures", 0), what, str(s, "last_error"));
}

/* The suite's "ratios" as a table of two columns, keys a and b; false when
 * it has none. */
static bool ratio_table(struct bench_text *t, const cJSON *suite, const char *const *head,
			const char *a, const char *b)
{
	const cJSON *ratios = cJSON_GetObjectItemCaseSensitive(suite, "ratios"), *r;

	if (cJSON_GetArraySize(ratios) == 0)
		return false;
	bench_table_header(t, head, 3);
	cJSON_ArrayForEach(r, ratios) {
		char va[64], vb[64];
		const char *row[3] = { str(r, "name"), va, vb };
		struct bench_interval ca, cb;

		bench_format_ratio_ci(bench_json_number(r, a, 0), ratio_ci(r, a, &ca), va, sizeof(va));
		bench_format_ratio_ci(bench_json_number(r, b, 0), ratio_ci(r, b, &cb), vb, sizeof(vb));
		bench_table_row(t, row, 3);
	}
	bench_text_append(t, "\n");
	interval_note(t, "the runs of both sides, each resampled on its own");
	return true;
}

static void image(struct bench_text *t, const char *plots_ref, const char *name, const char *alt)
{
	bench_text_printf(t, "![%s](%s/%s.png) ([SVG](%s/%s.svg))\n\n", alt, plots_ref, name,
			  plots_ref, name);
}

static void startup(struct bench_text *t, const cJSON *suite, const char *plots_ref)
{
	static const char *const head[] = { "system", "kind", "runs", "first line: median [95% CI]",
					    "p5", "p95", "exit: median [95% CI]", "p5", "p95",
					    "failures" };
	static const char *const rhead[] = { "ratio", "first line (median / median) [95% CI]",
					     "exit (median / median) [95% CI]" };
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems"), *s;

	bench_text_printf(t, "## Start-up\n\n%.0f runs per system. *first line*: %s. *exit*: %s.\n\n",
			  bench_json_number(suite, "runs", 0), str(suite, "first_line"), str(suite, "exit"));
	bench_table_header(t, head, 10);
	cJSON_ArrayForEach(s, systems) {
		const cJSON *fj = cJSON_GetObjectItemCaseSensitive(s, "first_line");
		const cJSON *xj = cJSON_GetObjectItemCaseSensitive(s, "exit");
		struct bench_summary f, x;
		char c[8][64];
		const char *row[10];

		if (bench_summary_from_json(fj, &f) < 0 || bench_summary_from_json(xj, &x) < 0)
			continue;
		snprintf(c[0], sizeof(c[0]), "%zu", f.n);
		median_cell(fj, c[1], sizeof(c[1]));
		bench_format_ns(f.p5, c[2], sizeof(c[2]));
		bench_format_ns(f.p95, c[3], sizeof(c[3]));
		median_cell(xj, c[4], sizeof(c[4]));
		bench_format_ns(x.p5, c[5], sizeof(c[5]));
		bench_format_ns(x.p95, c[6], sizeof(c[6]));
		snprintf(c[7], sizeof(c[7]), "%.0f", bench_json_number(s, "failures", 0));
		row[0] = str(s, "name");
		row[1] = str(s, "kind");
		memcpy(&row[2], (const char *[]){ c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7] },
		       8 * sizeof(row[0]));
		bench_table_row(t, row, 10);
	}
	bench_text_append(t, "\n");
	interval_note(t, "the runs");
	rounds_note(t, suite, "runs");
	not_available(t, systems);
	last_errors(t, systems, "run(s)");
	ratio_table(t, suite, rhead, "first_line", "exit");
	image(t, plots_ref, "startup", "start-up per system");
	image(t, plots_ref, "startup_cdf", "start-up CDF");
	bench_text_append(t, "### Phases from each system's `--stats`\n\nisolab-vmm: `times_ns.*` and "
			     "`markers.*` are ns since the VMM process started; isolab-ctr: `phases_ns.*` as "
			     "its README defines them. Medians with their 95% confidence interval over the "
			     "runs, as above.\n\n");
	cJSON_ArrayForEach(s, systems) {
		static const char *const phead[] = { "time", "median [95% CI]", "p5", "p95" };
		const cJSON *times = cJSON_GetObjectItemCaseSensitive(s, "stats_times"), *p;

		if (times == NULL)
			continue;
		bench_text_printf(t, "%s:\n\n", str(s, "name"));
		bench_table_header(t, phead, 4);
		cJSON_ArrayForEach(p, times) {
			struct bench_summary v;
			char a[64], b[32], c[32];
			const char *row[4] = { p->string, a, b, c };

			if (bench_summary_from_json(p, &v) < 0)
				continue;
			median_cell(p, a, sizeof(a));
			bench_format_ns(v.p5, b, sizeof(b));
			bench_format_ns(v.p95, c, sizeof(c));
			bench_table_row(t, row, 4);
		}
		bench_text_append(t, "\n");
	}
	image(t, plots_ref, "vmm_phases", "VMM boot phases");
}

/* bytes as bench_format_bytes writes them, with a sign when negative (a noisy drop). */
static void signed_bytes(double bytes, char *buf, size_t size)
{
	char b[30];

	bench_format_bytes(bytes < 0 ? -bytes : bytes, b, sizeof(b));
	snprintf(buf, size, "%s%s", bytes < 0 ? "-" : "", b);
}

/* A density summary (per_instance in bytes, next_start_ns in ns): "median (p5 to p95)", or "-". */
static void density_cell(const cJSON *summary, bool ns, char *buf, size_t size)
{
	struct bench_summary v;
	char m[32], lo[32], hi[32];

	if (bench_summary_from_json(summary, &v) < 0 || v.n == 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (ns) {
		bench_format_ns(v.median, m, sizeof(m));
		bench_format_ns(v.p5, lo, sizeof(lo));
		bench_format_ns(v.p95, hi, sizeof(hi));
	} else {
		signed_bytes(v.median, m, sizeof(m));
		signed_bytes(v.p5, lo, sizeof(lo));
		signed_bytes(v.p95, hi, sizeof(hi));
	}
	if (v.n == 1)
		snprintf(buf, size, "%s", m);
	else
		snprintf(buf, size, "%s (%s to %s)", m, lo, hi);
}

/* The density sweep: one row per point, then the bound and where each system stopped. */
static void density(struct bench_text *t, const cJSON *suite, const char *plots_ref)
{
	static const char *const head[] = { "system", "N", "per instance: median (p5 to p95)",
					    "marginal: median (p5 to p95)", "MemAvailable drop",
					    "MemAvailable left", "start of instance N + 1: median (p5 to p95)" };
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems"), *s, *p;
	char bound[32], total[32];

	bench_text_printf(t, "### Density (up to %.0f instances at once; a VM up to %.0f)\n\n",
			  bench_json_number(suite, "density_max", 0),
			  bench_json_number(suite, "density_max_vm", bench_json_number(suite, "density_max", 0)));
	bench_table_header(t, head, 7);
	cJSON_ArrayForEach(s, systems) {
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "density")) {
			char n[24], c[5][112];
			const char *row[7] = { str(s, "name"), n, c[0], c[4], c[1], c[2], c[3] };

			snprintf(n, sizeof(n), "%.0f%s", bench_json_number(p, "instances", 0),
				 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "bound_reached")) ? " (bound)" : "");
			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "ok"))) {
				snprintf(c[0], sizeof(c[0]), "failed");
				snprintf(c[1], sizeof(c[1]), "-");
				snprintf(c[2], sizeof(c[2]), "-");
				snprintf(c[3], sizeof(c[3]), "-");
				snprintf(c[4], sizeof(c[4]), "-");
			} else {
				if (cJSON_GetObjectItemCaseSensitive(p, "per_instance") != NULL)
					density_cell(cJSON_GetObjectItemCaseSensitive(p, "per_instance"), false,
						     c[0], sizeof(c[0]));
				else /* a file from before the spread: its one reading */
					signed_bytes(bench_json_number(p, "per_instance_bytes", 0), c[0], sizeof(c[0]));
				signed_bytes(bench_json_number(p, "mem_available_drop_bytes", 0), c[1], sizeof(c[1]));
				bench_format_bytes(bench_json_number(p, "mem_available_after", -1), c[2], sizeof(c[2]));
				density_cell(cJSON_GetObjectItemCaseSensitive(p, "next_start_ns"), true, c[3],
					     sizeof(c[3]));
				density_cell(cJSON_GetObjectItemCaseSensitive(p, "per_instance_marginal"), false,
					     c[4], sizeof(c[4]));
			}
			bench_table_row(t, row, 7);
		}
	}
	bench_text_append(t, "\n");
	if (cJSON_GetObjectItemCaseSensitive(suite, "safety_bound_bytes") != NULL) {
		bench_format_bytes(bench_json_number(suite, "safety_bound_bytes", 0), bound, sizeof(bound));
		bench_format_bytes(bench_json_number(suite, "mem_total_bytes", -1), total, sizeof(total));
		bench_text_printf(t, "Instances are started one after another, each once the one before is "
				     "ready, and held. *per instance*: (MemAvailable before the first instance "
				     "- MemAvailable with N held) / N, over every pair of the %.0f readings "
				     "before and the %.0f with N held (isolab-bench's own %.0f bytes of "
				     "bookkeeping per held instance included). *marginal*: the same between "
				     "the point before (its readings; the first point: the readings before) and "
				     "this one, per instance added: readings closer in time, so less of the "
				     "drift of a busy host. *start of instance N + 1*: "
				     "launch to its ready line, %.0f times while N run, each let go after. "
				     "**Safety bound**: no instance is started that would leave MemAvailable "
				     "under %s (%s; MemTotal %s).\n\n",
				  bench_json_number(suite, "readings_per_point", 0),
				  bench_json_number(suite, "readings_per_point", 0),
				  bench_json_number(suite, "harness_bytes_per_instance", 0),
				  bench_json_number(suite, "next_start_samples", 0), bound,
				  str(suite, "safety_bound_rule"), total);
	}
	cJSON_ArrayForEach(s, systems) {
		const cJSON *last = NULL;

		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "density"))
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "ok")))
				last = p;
		if (cJSON_GetObjectItemCaseSensitive(s, "stopped") != NULL)
			bench_text_printf(t, "- %s stopped at %.0f instances (sweep up to %.0f): %s\n",
					  str(s, "name"), bench_json_number(last, "instances", 0),
					  bench_json_number(s, "density_max", 0), str(s, "stopped"));
		else if (cJSON_GetObjectItemCaseSensitive(s, "density_note") != NULL)
			bench_text_printf(t, "- %s's sweep %s\n", str(s, "name"), str(s, "density_note"));
	}
	bench_text_append(t, "\n");
	image(t, plots_ref, "density", "density: memory per instance and start of the next one");
}

static void memory(struct bench_text *t, const cJSON *suite, const char *plots_ref)
{
	static const char *const head[] = { "system", "instance (tree RSS + cgroup)", "RSS part",
					    "cgroup part", "own --stats", "MemAvailable drop" };
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems"), *s;

	bench_text_append(t, "## Memory\n\nOne instance of `probe hold`, measured while it waits "
			     "(definitions in bench/README.md).\n\n");
	bench_table_header(t, head, 6);
	cJSON_ArrayForEach(s, systems) {
		char c[5][32];
		const char *row[6] = { str(s, "name"), c[0], c[1], c[2], c[3], c[4] };

		if (cJSON_GetObjectItemCaseSensitive(s, "instance_bytes") == NULL)
			continue;
		bench_format_bytes(bench_json_number(s, "instance_bytes", -1), c[0], sizeof(c[0]));
		bench_format_bytes(bench_json_number(s, "rss_bytes", -1), c[1], sizeof(c[1]));
		bench_format_bytes(bench_json_number(s, "cgroup_bytes", -1), c[2], sizeof(c[2]));
		bench_format_bytes(bench_json_number(s, "stats_bytes", -1), c[3], sizeof(c[3]));
		signed_bytes(bench_json_number(s, "mem_available_drop_bytes", 0), c[4], sizeof(c[4]));
		bench_table_row(t, row, 6);
	}
	bench_text_append(t, "\n");
	not_available(t, systems);
	cJSON_ArrayForEach(s, systems)
		if (cJSON_GetObjectItemCaseSensitive(s, "error") != NULL)
			bench_text_printf(t, "- %s failed: %s\n\n", str(s, "name"), str(s, "error"));
	image(t, plots_ref, "memory", "memory per instance");
	density(t, suite, plots_ref);
}

/* The op named name in a syscall entry's "ops", or NULL. */
static const cJSON *op_named(const cJSON *entry, const char *name)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(entry, "ops"))
		if (strcmp(str(o, "name"), name) == 0)
			return o;
	return NULL;
}

/* The syscall suite's ratio entry of system's op, or NULL. */
static const cJSON *syscall_ratio(const cJSON *suite, const char *system, const char *op)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(suite, "ratios"))
		if (strcmp(str(r, "system"), system) == 0 && strcmp(str(r, "op"), op) == 0)
			return r;
	return NULL;
}

/* "PTI, Retpolines, ...; vulnerable: spec_store_bypass" from the probe's
 * mitigations (probe.c: each file's text up to its first ';'). */
static void mitigations_cell(const cJSON *m, char *buf, size_t size)
{
	const cJSON *v;
	size_t len = 0;
	int vulnerable = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(v, m) {
		const char *text = cJSON_IsString(v) ? v->valuestring : "";

		if (strncmp(text, "Mitigation: ", 12) == 0 && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s: %s", len ? ", " : "",
						v->string, text + 12);
		vulnerable += strncmp(text, "Vulnerable", 10) == 0;
	}
	if (len < size && vulnerable > 0)
		snprintf(buf + len, size - len, "%s%d vulnerable", len ? "; " : "", vulnerable);
	if (buf[0] == '\0')
		snprintf(buf, size, "%s", m ? "none needed" : "not reported");
}

/* Which kernel each system's figures come from, and its mitigations. */
static void kernels(struct bench_text *t, const cJSON *const *cols, int ncols)
{
	static const char *const head[] = { "system", "kernel", "mitigations in force" };
	char cell[1024];

	bench_text_append(t, "Kernels: a container runs on the host's, a VM on its guest's.\n\n");
	bench_table_header(t, head, 3);
	for (int i = 0; i < ncols; i++) {
		const char *row[3] = { str(cols[i], "name"), str(cols[i], "kernel"), cell };

		mitigations_cell(cJSON_GetObjectItemCaseSensitive(cols[i], "mitigations"), cell,
				 sizeof(cell));
		if (row[1][0] == '\0')
			row[1] = "not reported";
		bench_table_row(t, row, 3);
	}
	bench_text_append(t, "\n");
}

static void syscall(struct bench_text *t, const cJSON *suite, const char *plots_ref)
{
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems"), *s, *op;
	const cJSON *native = NULL, *cols[8];
	const char *head[9];
	int ncols = 0, i;
	bool flagged = false;

	bench_text_printf(t, "## System calls and operations\n\nPer operation, the median over the "
			     "runs of the probe's median over %.0f samples (each sample a batch), with "
			     "its 95%% confidence interval; in parentheses the ratio to native, with "
			     "its interval.\n\n",
			  bench_json_number(suite, "samples", 0));
	head[0] = "operation";
	cJSON_ArrayForEach(s, systems) {
		if (cJSON_GetObjectItemCaseSensitive(s, "ops") == NULL || ncols >= 8)
			continue;
		if (strcmp(str(s, "name"), "native") == 0)
			native = s;
		cols[ncols] = s;
		head[1 + ncols] = str(s, "name");
		ncols++;
	}
	if (ncols > 0) {
		const cJSON *rows = cJSON_GetObjectItemCaseSensitive(cols[ncols - 1], "ops");
		/* every op any system measured, in the order of the longest list */
		for (i = 0; i < ncols; i++)
			if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cols[i], "ops")) >
			    cJSON_GetArraySize(rows))
				rows = cJSON_GetObjectItemCaseSensitive(cols[i], "ops");
		bench_table_header(t, head, 1 + ncols);
		cJSON_ArrayForEach(op, rows) {
			const char *name = str(op, "name");
			const cJSON *b = native ? op_named(native, name) : NULL;
			double base = b ? bench_json_number(b, "median", -1) : -1;
			char cells[8][176];
			const char *row[9];

			row[0] = name;
			for (i = 0; i < ncols; i++) {
				const cJSON *o = op_named(cols[i], name);
				const cJSON *r = syscall_ratio(suite, str(cols[i], "name"), name);
				double m = o ? bench_json_number(o, "median", -1) : -1;
				struct bench_interval ci, rci;
				char a[80], q[80];

				bench_format_ns_ci(m, ci_of(o, &ci), a, sizeof(a));
				if (m > 0 && base > 0 && cols[i] != native) {
					bool other = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "same_kernel"));

					bench_format_ratio_ci(m / base, ci_of(r, &rci), q, sizeof(q));
					snprintf(cells[i], sizeof(cells[i]), "%s (%s%s)", a, q, other ? " †" : "");
					flagged |= other;
				} else {
					snprintf(cells[i], sizeof(cells[i]), "%s", a);
				}
				row[1 + i] = cells[i];
			}
			bench_table_row(t, row, 1 + ncols);
		}
		bench_text_append(t, "\n");
		interval_note(t, "the runs' medians, a ratio's two sides each resampled on its own");
		if (flagged)
			bench_text_append(t, "† a kernel other than native's: the ratio measures the two "
					     "kernels' configurations (mitigations, options) as much as the "
					     "isolation; compare isolab-vmm-hostkernel, the VM on native's own "
					     "kernel.\n\n");
		kernels(t, cols, ncols);
	}
	rounds_note(t, suite, "probe runs");
	not_available(t, systems);
	last_errors(t, systems, "run(s)");
	image(t, plots_ref, "syscall", "overhead per operation, ratio to native");
}

static void build(struct bench_text *t, const cJSON *suite, const char *plots_ref)
{
	static const char *const head[] = { "builder", "rebuilds", "rebuild: median [95% CI]", "p5",
					    "p95", "first (uncached) build", "failures" };
	static const char *const rhead[] = { "ratio", "cached rebuild (median / median) [95% CI]",
					     "first build (one each)" };
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems"), *s;

	bench_text_printf(t, "## Build: cached rebuild\n\n%.0f rebuilds per builder of `%s/Dockerfile`, "
			     "after one uncached build, alternating between builders; each rebuild "
			     "checked to have taken every step from the cache. *rebuild*: %s.\n\n",
			  bench_json_number(suite, "runs", 0), str(suite, "context"),
			  str(suite, "rebuild"));
	bench_table_header(t, head, 7);
	cJSON_ArrayForEach(s, systems) {
		struct bench_summary v, f = { 0 };
		char c[6][64];
		const char *row[7] = { str(s, "name"), c[0], c[1], c[2], c[3], c[4], c[5] };

		if (bench_summary_from_json(cJSON_GetObjectItemCaseSensitive(s, "rebuild"), &v) < 0 ||
		    (bench_summary_from_json(cJSON_GetObjectItemCaseSensitive(s, "first_build"), &f) < 0 &&
		     v.n == 0))
			continue;
		snprintf(c[0], sizeof(c[0]), "%zu", v.n);
		median_cell(cJSON_GetObjectItemCaseSensitive(s, "rebuild"), c[1], sizeof(c[1]));
		bench_format_ns(v.n ? v.p5 : -1, c[2], sizeof(c[2]));
		bench_format_ns(v.n ? v.p95 : -1, c[3], sizeof(c[3]));
		bench_format_ns(f.n ? f.median : -1, c[4], sizeof(c[4]));
		snprintf(c[5], sizeof(c[5]), "%.0f", bench_json_number(s, "failures", 0));
		bench_table_row(t, row, 7);
	}
	bench_text_append(t, "\n");
	interval_note(t, "the rebuilds");
	not_available(t, systems);
	last_errors(t, systems, "rebuild(s)");
	if (ratio_table(t, suite, rhead, "rebuild", "first_build"))
		bench_text_append(t, "Issue 10 asks at most 0.50x for isolab-build/buildah's cached "
				     "rebuild, both measured in the same run.\n\n");
	image(t, plots_ref, "build", "cached rebuild per builder");
}

/* Issue 11 item 9's targets for isolab-ctr's total over each peer's, same run. */
static const struct {
	const char *ratio;
	double target;
} lifecycle_targets[] = {
	{ "isolab-ctr/crun", 0.5 },
	{ "isolab-ctr/runc", 0.25 },
};

static void lifecycle(struct bench_text *t, const cJSON *suite, const char *plots_ref)
{
	static const char *const head[] = { "runtime", "runs", "median [95% CI]", "p5", "p95",
					    "failures" };
	static const char *const rhead[] = { "ratio", "total (median / median) [95% CI]", "create",
					     "start", "wait", "delete", "target (total)", "met" };
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems"), *s, *r;
	size_t k;

	bench_text_printf(t, "## OCI lifecycle: create, start, delete\n\n%.0f sequences per runtime of "
			     "`create`, `start`, wait, `delete` of one container running `%s` (the "
			     "calls containerd makes), on one bundle (`%s`: the image rootfs, read-only), "
			     "in interleaved rounds.\n\n",
			  bench_json_number(suite, "runs", 0), str(suite, "process"),
			  str(suite, "bundle_spec"));
	for (k = 0; k < BENCH_LC_PHASES; k++) {
		const char *phase = bench_lc_phase_names[k];
		int rows = 0;

		cJSON_ArrayForEach(s, systems) {
			struct bench_summary v;
			char c[5][64];
			const char *row[6] = { str(s, "name"), c[0], c[1], c[2], c[3], c[4] };

			if (bench_summary_from_json(cJSON_GetObjectItemCaseSensitive(s, phase), &v) < 0)
				continue;
			if (rows++ == 0) {
				bench_text_printf(t, "*%s*: %s.\n\n", phase, str(suite, phase));
				bench_table_header(t, head, 6);
			}
			snprintf(c[0], sizeof(c[0]), "%zu", v.n);
			median_cell(cJSON_GetObjectItemCaseSensitive(s, phase), c[1], sizeof(c[1]));
			bench_format_ns(v.p5, c[2], sizeof(c[2]));
			bench_format_ns(v.p95, c[3], sizeof(c[3]));
			snprintf(c[4], sizeof(c[4]), "%.0f", bench_json_number(s, "failures", 0));
			bench_table_row(t, row, 6);
		}
		if (rows > 0)
			bench_text_append(t, "\n");
	}
	interval_note(t, "the sequences");
	rounds_note(t, suite, "sequences");
	not_available(t, systems);
	last_errors(t, systems, "sequence(s)");
	bench_table_header(t, rhead, 8);
	for (k = 0; k < sizeof(lifecycle_targets) / sizeof(lifecycle_targets[0]); k++) {
		const char *name = lifecycle_targets[k].ratio;
		char c[7][64];
		const char *row[8] = { name, c[0], c[1], c[2], c[3], c[4], c[5], c[6] };
		const struct bench_interval *tci;
		struct bench_interval ci[BENCH_LC_PHASES];
		double total = -1, target = lifecycle_targets[k].target;
		size_t p;

		r = bench_entry_by_name(cJSON_GetObjectItemCaseSensitive(suite, "ratios"), name);
		total = bench_json_number(r, "total", -1);
		tci = ratio_ci(r, "total", &ci[BENCH_LC_TOTAL]);
		bench_format_ratio_ci(total, tci, c[0], sizeof(c[0]));
		for (p = 0; p < BENCH_LC_TOTAL; p++)
			bench_format_ratio_ci(bench_json_number(r, bench_lc_phase_names[p], -1),
					      ratio_ci(r, bench_lc_phase_names[p], &ci[p]), c[1 + p],
					      sizeof(c[1 + p]));
		snprintf(c[5], sizeof(c[5]), "at most %.2fx", target);
		/* by the median, as the issue asks; said when the interval reaches across */
		snprintf(c[6], sizeof(c[6]), "%s", total <= 0 ? "not measured"
			 : total <= target ? (tci && tci->hi > target ? "yes (not the whole interval)" : "yes")
			 : (tci && tci->lo <= target ? "no (part of the interval)" : "no"));
		bench_table_row(t, row, 8);
	}
	bench_text_append(t, "\nIssue 11 item 9 asks isolab-ctr's median total at most 0.50x crun's "
			     "and 0.25x runc's, measured in the same run (where crun cannot run, its "
			     "ratio is not measured).\n\n");
	interval_note(t, "the sequences of both sides, each resampled on its own");
	image(t, plots_ref, "lifecycle", "OCI lifecycle per phase");
}

/* bytes/s as "1.23 Gbit/s" (with its interval when ci), "-" for none. */
static void gbits_cell(const cJSON *summary, char *buf, size_t size)
{
	struct bench_summary v;
	struct bench_interval ci;

	if (bench_summary_from_json(summary, &v) < 0 || v.n == 0)
		snprintf(buf, size, "-");
	else if (ci_of(summary, &ci) != NULL)
		snprintf(buf, size, "%.2f Gbit/s [%.2f, %.2f]", v.median * 8 / 1e9, ci.lo * 8 / 1e9,
			 ci.hi * 8 / 1e9);
	else
		snprintf(buf, size, "%.2f Gbit/s", v.median * 8 / 1e9);
}

/* The network suite's ratio entry "SYSTEM/native", or NULL. */
static const cJSON *network_ratio(const cJSON *suite, const char *system)
{
	char name[160];

	snprintf(name, sizeof(name), "%s/native", system);
	return bench_entry_by_name(cJSON_GetObjectItemCaseSensitive(suite, "ratios"), name);
}

static void network(struct bench_text *t, const cJSON *suite, const char *plots_ref)
{
	static const char *const head[] = { "system", "round trips", "RTT: median [95% CI]", "p99",
					    "stream: median [95% CI]", "runs", "failures" };
	static const char *const rhead[] = { "ratio to native", "RTT median [95% CI]", "RTT p99",
					     "stream [95% CI]" };
	static const char *const phead[] = { "published", "environment", "native", "figure",
					     "ratio", "measured here (RTT ratio)", "source" };
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems"), *s, *r;
	size_t k;

	bench_text_printf(t, "## Network\n\nOne TCP workload per environment, the probe the server "
			     "(`probe net-serve`) and isolab-bench the client on the host, %.0f runs "
			     "per system. *RTT*: %s; each run %.0f timed round trips after a tenth "
			     "as many untimed, all of a system's pooled. *stream*: %s, %.0f ms per "
			     "run.\n\n",
			  bench_json_number(suite, "runs", 0), str(suite, "rr"),
			  bench_json_number(suite, "round_trips_per_run", 0), str(suite, "stream"),
			  bench_json_number(suite, "stream_ms_per_run", 0));
	bench_table_header(t, head, 7);
	cJSON_ArrayForEach(s, systems) {
		const cJSON *rr = cJSON_GetObjectItemCaseSensitive(s, "rr");
		struct bench_summary v;
		char c[6][96];
		const char *row[7] = { str(s, "name"), c[0], c[1], c[2], c[3], c[4], c[5] };

		if (bench_summary_from_json(rr, &v) < 0 || v.n == 0)
			continue;
		snprintf(c[0], sizeof(c[0]), "%zu", v.n);
		median_cell(rr, c[1], sizeof(c[1]));
		bench_format_ns(bench_json_number(rr, "p99", -1), c[2], sizeof(c[2]));
		gbits_cell(cJSON_GetObjectItemCaseSensitive(s, "stream"), c[3], sizeof(c[3]));
		snprintf(c[4], sizeof(c[4]), "%.0f",
			 bench_json_number(cJSON_GetObjectItemCaseSensitive(s, "stream"), "n", 0));
		snprintf(c[5], sizeof(c[5]), "%.0f", bench_json_number(s, "failures", 0));
		bench_table_row(t, row, 7);
	}
	bench_text_append(t, "\n");
	interval_note(t, "the round trips (RTT) and the runs (stream)");
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(suite, "ratios")) > 0) {
		bench_table_header(t, rhead, 4);
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(suite, "ratios")) {
			char c[3][64];
			const char *row[4] = { str(r, "name"), c[0], c[1], c[2] };
			struct bench_interval a, b;

			bench_format_ratio_ci(bench_json_number(r, "rr", 0), ratio_ci(r, "rr", &a), c[0],
					      sizeof(c[0]));
			bench_format_ratio(bench_json_number(r, "rr_p99", 0), c[1], sizeof(c[1]));
			bench_format_ratio_ci(bench_json_number(r, "stream", 0), ratio_ci(r, "stream", &b),
					      c[2], sizeof(c[2]));
			bench_table_row(t, row, 4);
		}
		bench_text_append(t, "\nAbove 1 for the RTT is slower than native; below 1 for the "
				     "stream is slower.\n\n");
	}
	bench_table_header(t, phead, 7);
	for (k = 0; k < bench_net_published_count; k++) {
		const struct bench_net_published *p = &bench_net_published[k];
		const cJSON *mine = network_ratio(suite, p->system);
		char c[5][96];
		const char *row[7] = { p->what, p->system, c[0], c[1], c[2], c[3], p->source };
		struct bench_interval ci;

		snprintf(c[0], sizeof(c[0]), "%.1f us", p->native_us);
		snprintf(c[1], sizeof(c[1]), "%.1f us", p->value_us);
		bench_format_ratio(p->value_us / p->native_us, c[2], sizeof(c[2]));
		if (mine != NULL)
			bench_format_ratio_ci(bench_json_number(mine, "rr", 0), ratio_ci(mine, "rr", &ci),
					      c[3], sizeof(c[3]));
		else
			snprintf(c[3], sizeof(c[3]), "not measured");
		bench_table_row(t, row, 7);
	}
	bench_text_append(t, "\nThe publication measured between two machines; here client and "
			     "server share one machine, so the ratios, not the times, are what "
			     "compares.\n\n");
	rounds_note(t, suite, "runs");
	not_available(t, systems);
	last_errors(t, systems, "run(s)");
	image(t, plots_ref, "network", "TCP round trip and stream, ratio to native");
}

char *bench_report_markdown(const cJSON *doc, const char *results_name, const char *plots_ref)
{
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(doc, "environment");
	const cJSON *suites = cJSON_GetObjectItemCaseSensitive(doc, "suites"), *s;
	struct bench_text t = { 0 };

	bench_text_printf(&t, "# isolab benchmark report\n\nFrom `%s` (environment **%s**, %s).\n"
			      "Generated by `isolab-bench report`; definitions of every figure: "
			      "[bench/README.md](../bench/README.md).\n\n",
			  results_name, str(env, "name"), str(env, "timestamp"));
	lab_caveat(&t, env);
	run_status(&t, doc);
	if ((s = cJSON_GetObjectItemCaseSensitive(suites, "startup")) != NULL)
		startup(&t, s, plots_ref);
	if ((s = cJSON_GetObjectItemCaseSensitive(suites, "memory")) != NULL)
		memory(&t, s, plots_ref);
	if ((s = cJSON_GetObjectItemCaseSensitive(suites, "syscall")) != NULL)
		syscall(&t, s, plots_ref);
	if ((s = cJSON_GetObjectItemCaseSensitive(suites, "build")) != NULL)
		build(&t, s, plots_ref);
	if ((s = cJSON_GetObjectItemCaseSensitive(suites, "lifecycle")) != NULL)
		lifecycle(&t, s, plots_ref);
	if ((s = cJSON_GetObjectItemCaseSensitive(suites, "network")) != NULL)
		network(&t, s, plots_ref);
	environment(&t, env);
	if (t.failed) {
		bench_text_free(&t);
		return NULL;
	}
	return t.s;
}
