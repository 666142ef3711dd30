/* merge.c: `isolab-bench merge`'s report from several results documents (see merge.h). */
#include "bench/merge.h"
#include "bench/checkpoint.h"
#include "bench/results.h"
#include "bench/table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_ROWS 64

int bench_merge_check(const struct bench_merge_input *in, size_t n, struct isolab_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const cJSON *format = cJSON_GetObjectItemCaseSensitive(in[i].doc, "format");

		if (!cJSON_IsObject(in[i].doc) || !cJSON_IsString(format))
			return isolab_error_set(err, -EINVAL,
						"merge: `%s`: not an isolab-bench results file (no `format`)",
						in[i].name);
		if (strcmp(format->valuestring, BENCH_RESULTS_FORMAT) != 0)
			return isolab_error_set(err, -EINVAL, "merge: `%s`: format `%s`, not `%s`",
						in[i].name, format->valuestring, BENCH_RESULTS_FORMAT);
		if (bench_results_check(in[i].doc, err) < 0)
			return isolab_error_wrap(err, "merge: `%s`", in[i].name);
	}
	return 0;
}

static const cJSON *env_of(const cJSON *doc)
{
	return cJSON_GetObjectItemCaseSensitive(doc, "environment");
}

static const char *env_name(const cJSON *doc)
{
	return bench_json_string(env_of(doc), "name", "?");
}

/* Whether the run of doc stopped before its end (a file from before progress records: no). */
static bool incomplete(const cJSON *doc)
{
	const cJSON *progress = cJSON_GetObjectItemCaseSensitive(doc, "progress");

	return progress != NULL && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(progress, "complete"));
}

void bench_merge_label(const struct bench_merge_input *in, size_t n, size_t i, char *buf,
		       size_t size)
{
	bool shared = false;
	size_t k;

	for (k = 0; k < n; k++)
		shared |= k != i && strcmp(env_name(in[k].doc), env_name(in[i].doc)) == 0;
	if (shared)
		snprintf(buf, size, "%s #%zu%s", env_name(in[i].doc), i + 1,
			 incomplete(in[i].doc) ? " ‡" : "");
	else
		snprintf(buf, size, "%s%s", env_name(in[i].doc), incomplete(in[i].doc) ? " ‡" : "");
}

static const cJSON *suite_of(const cJSON *doc, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "suites"), name);
}

static const cJSON *systems_of(const cJSON *doc, const char *suite)
{
	return cJSON_GetObjectItemCaseSensitive(suite_of(doc, suite), "systems");
}

/* The hosts' table: one column per file, one row per fact of its environment. */
static void hosts(struct bench_text *t, const struct bench_merge_input *in, size_t n)
{
	static const struct {
		const char *head, *key;
	} rows[] = {
		{ "kvm", "kvm" },       { "CPU", "cpu" },
		{ "kernel", "kernel" }, { "cgroup", "cgroup" },
		{ "the lab's host CPU", "host_cpu" }, { "the lab's host kernel", "host_kernel" },
		{ "date", "timestamp" },
	};
	const char *cells[1 + 16];
	char text[16][160];
	size_t i, r, cols = n < 16 ? n : 16;

	bench_text_append(t, "## Hosts\n\n");
	cells[0] = "";
	for (i = 0; i < cols; i++) {
		bench_merge_label(in, n, i, text[i], sizeof(text[i]));
		cells[1 + i] = text[i];
	}
	bench_table_header_left(t, cells, (int)(1 + cols), (int)(1 + cols));
	cells[0] = "file";
	for (i = 0; i < cols; i++) {
		snprintf(text[i], sizeof(text[i]), "`%s`", in[i].name);
		cells[1 + i] = text[i];
	}
	bench_table_row(t, cells, (int)(1 + cols));
	cells[0] = "environment";
	for (i = 0; i < cols; i++)
		cells[1 + i] = bench_env_words(env_name(in[i].doc));
	bench_table_row(t, cells, (int)(1 + cols));
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		bool any = false;

		cells[0] = rows[r].head;
		for (i = 0; i < cols; i++) {
			cells[1 + i] = bench_json_string(env_of(in[i].doc), rows[r].key, "-");
			any |= cJSON_IsString(cJSON_GetObjectItemCaseSensitive(env_of(in[i].doc),
									      rows[r].key));
		}
		if (any)
			bench_table_row(t, cells, (int)(1 + cols));
	}
	cells[0] = "CPUs";
	for (i = 0; i < cols; i++) {
		snprintf(text[i], sizeof(text[i]), "%.0f", bench_json_number(env_of(in[i].doc), "cpus", 0));
		cells[1 + i] = text[i];
	}
	bench_table_row(t, cells, (int)(1 + cols));
	cells[0] = "git commit (tree)";
	for (i = 0; i < cols; i++) {
		snprintf(text[i], sizeof(text[i]), "%.12s (%s)",
			 bench_json_string(env_of(in[i].doc), "git_commit", "-"),
			 bench_json_string(env_of(in[i].doc), "git_tree", "-"));
		cells[1 + i] = text[i];
	}
	bench_table_row(t, cells, (int)(1 + cols));
	cells[0] = "run";
	for (i = 0; i < cols; i++)
		cells[1 + i] = incomplete(in[i].doc) ? "**incomplete** ‡" : "complete";
	bench_table_row(t, cells, (int)(1 + cols));
	bench_text_append(t, "\n");
	for (i = 0; i < n; i++)
		if (incomplete(in[i].doc)) {
			bench_text_append(t, "‡ An incomplete run: it stopped before every unit was "
					     "measured; its columns hold what finished (its own report "
					     "lists what failed).\n\n");
			break;
		}
	for (i = 0; i < n; i++)
		if (strcmp(bench_json_string(env_of(in[i].doc), "kvm", ""), "lab") == 0) {
			bench_text_append(t, "> **A column measured in the nested-KVM lab** (a QEMU TCG "
					     "machine: every instruction emulated, a VM exit tens of "
					     "microseconds) does not describe real hardware: read its "
					     "ratios, not its absolute times, against another host's.\n\n");
			break;
		}
}

size_t bench_merge_names(const struct bench_merge_input *in, size_t n, const char *suite,
			  const char *list, const char *key, const char **names, size_t max)
{
	size_t i, count = 0, k;

	for (i = 0; i < n; i++) {
		const cJSON *e;

		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(suite_of(in[i].doc, suite), list)) {
			const char *name = bench_json_string(e, key, NULL);
			bool known = false;

			if (name == NULL)
				continue;
			for (k = 0; k < count; k++)
				known |= strcmp(names[k], name) == 0;
			if (!known && count < max)
				names[count++] = name;
		}
	}
	return count;
}

/* How a series' cells read. */
enum cell_kind { CELL_NS, CELL_BYTES };

/* The cell of system `name` of one file's suite, key `key`. */
static void cell(const cJSON *systems, const char *name, const char *key, enum cell_kind kind,
		 char *buf, size_t size)
{
	const cJSON *s = bench_entry_by_name(systems, name);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);
	struct bench_summary sum;
	struct bench_interval ci;

	if (s == NULL)
		snprintf(buf, size, "not run");
	else if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "available")))
		snprintf(buf, size, "unavailable");
	else if (kind == CELL_BYTES && cJSON_IsNumber(v))
		bench_format_bytes(v->valuedouble, buf, size);
	else if (kind == CELL_NS && bench_summary_from_json(v, &sum) == 0 && sum.n > 0)
		bench_format_ns_ci(sum.median,
				   bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(v, "ci95"),
							&ci) == 0 ? &ci : NULL, buf, size);
	else
		snprintf(buf, size, "failed");
}

/* The files that ran suite: their indices into idx; how many. */
static size_t with_suite(const struct bench_merge_input *in, size_t n, const char *suite,
			 size_t *idx, size_t max)
{
	size_t i, m = 0;

	for (i = 0; i < n && m < max; i++)
		if (suite_of(in[i].doc, suite) != NULL)
			idx[m++] = i;
	return m;
}

/* The files that did not run suite, in one line, or nothing. */
static void without_suite(struct bench_text *t, const struct bench_merge_input *in, size_t n,
			  const char *suite)
{
	size_t i;
	int k = 0;

	for (i = 0; i < n; i++) {
		char label[160];

		if (suite_of(in[i].doc, suite) != NULL)
			continue;
		bench_merge_label(in, n, i, label, sizeof(label));
		bench_text_printf(t, "%s%s", k++ ? ", " : "Not in this suite: ", label);
	}
	if (k > 0)
		bench_text_append(t, " (its run did not have it).\n\n");
}

/*
 * Under a table: per file that ran suite, its systems without a figure of
 * key and why; then the files that did not run suite.
 */
static void not_measured(struct bench_text *t, const struct bench_merge_input *in, size_t n,
			 const size_t *idx, size_t m, const char *suite, const char *key)
{
	size_t i;
	int lines = 0;

	for (i = 0; i < m; i++) {
		char line[1024], label[160];

		bench_format_not_measured(systems_of(in[idx[i]].doc, suite), key, line, sizeof(line));
		if (line[0] == '\0')
			continue;
		bench_merge_label(in, n, idx[i], label, sizeof(label));
		bench_text_printf(t, "- %s: %s\n", label, line);
		lines++;
	}
	if (lines > 0)
		bench_text_append(t, "\n");
	without_suite(t, in, n, suite);
}

/*
 * A table of one row per system, for each file that ran suite one column
 * per key ("LABEL: HEAD"); then, per file, the systems without a figure.
 */
static void series_table(struct bench_text *t, const struct bench_merge_input *in, size_t n,
			 const char *suite, const char *row_head, const char *const *keys,
			 const char *const *heads, size_t nkeys, enum cell_kind kind)
{
	const char *names[MAX_ROWS], *cells[1 + 32];
	char text[32][96], head[32][200];
	size_t idx[16], m = with_suite(in, n, suite, idx, 16), rows, r, i, k, cols = 0;

	rows = bench_merge_names(in, n, suite, "systems", "name", names, MAX_ROWS);
	cells[0] = row_head;
	for (i = 0; i < m; i++)
		for (k = 0; k < nkeys && cols < 32; k++) {
			char label[160];

			bench_merge_label(in, n, idx[i], label, sizeof(label));
			snprintf(head[cols], sizeof(head[cols]), "%s: %s", label, heads[k]);
			cells[1 + cols] = head[cols];
			cols++;
		}
	bench_table_header(t, cells, (int)(1 + cols));
	for (r = 0; r < rows; r++) {
		size_t c = 0;

		cells[0] = names[r];
		for (i = 0; i < m; i++)
			for (k = 0; k < nkeys && c < cols; k++, c++) {
				cell(systems_of(in[idx[i]].doc, suite), names[r], keys[k], kind, text[c],
				     sizeof(text[c]));
				cells[1 + c] = text[c];
			}
		bench_table_row(t, cells, (int)(1 + cols));
	}
	bench_text_append(t, "\n");
	not_measured(t, in, n, idx, m, suite, keys[0]);
}

/*
 * Each file's own ratios of suite (its "ratios" entries, key), one column
 * per file: never a figure of one file over one of another.
 */
static void ratio_table(struct bench_text *t, const struct bench_merge_input *in, size_t n,
			const char *suite, const char *key, const char *what)
{
	const char *names[MAX_ROWS], *cells[1 + 16];
	char text[16][96], head[16][200];
	size_t idx[16], m = with_suite(in, n, suite, idx, 16), rows, r, i;

	rows = bench_merge_names(in, n, suite, "ratios", "name", names, MAX_ROWS);
	if (rows == 0)
		return;
	bench_text_printf(t, "Each host's own ratios (%s, median / median within its run) [95%% CI]:\n\n",
			  what);
	cells[0] = "ratio";
	for (i = 0; i < m; i++) {
		bench_merge_label(in, n, idx[i], head[i], sizeof(head[i]));
		cells[1 + i] = head[i];
	}
	bench_table_header(t, cells, (int)(1 + m));
	for (r = 0; r < rows; r++) {
		cells[0] = names[r];
		for (i = 0; i < m; i++) {
			const cJSON *e = bench_entry_by_name(
				cJSON_GetObjectItemCaseSensitive(suite_of(in[idx[i]].doc, suite), "ratios"),
				names[r]);
			struct bench_interval ci;
			const cJSON *pair = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(e, "ci95"), key);

			if (e == NULL)
				snprintf(text[i], sizeof(text[i]), "not measured");
			else
				bench_format_ratio_ci(bench_json_number(e, key, 0),
						      bench_ci95_from_json(pair, &ci) == 0 ? &ci : NULL,
						      text[i], sizeof(text[i]));
			cells[1 + i] = text[i];
		}
		bench_table_row(t, cells, (int)(1 + m));
	}
	bench_text_append(t, "\n");
}

static void image(struct bench_text *t, const char *plots_ref, const char *name, const char *alt)
{
	bench_text_printf(t, "![%s](%s/%s.png) ([SVG](%s/%s.svg))\n\n", alt, plots_ref, name,
			  plots_ref, name);
}

static bool any_suite(const struct bench_merge_input *in, size_t n, const char *suite)
{
	size_t idx[1];

	return with_suite(in, n, suite, idx, 1) > 0;
}

static void startup(struct bench_text *t, const struct bench_merge_input *in, size_t n,
		    const char *plots_ref)
{
	static const char *const keys[] = { "first_line", "exit" };
	static const char *const heads[] = { "first line", "exit" };

	bench_text_append(t, "## Start-up\n\nMedian [95% CI] of each host's runs: *first line* is "
			     "launch to the probe's first line read, *exit* launch to the launcher's "
			     "exit (bench/README.md).\n\n");
	series_table(t, in, n, "startup", "system", keys, heads, 2, CELL_NS);
	ratio_table(t, in, n, "startup", "first_line", "first line");
	image(t, plots_ref, "merge_startup", "start-up per system and host");
}

static void memory(struct bench_text *t, const struct bench_merge_input *in, size_t n,
		   const char *plots_ref)
{
	static const char *const keys[] = { "instance_bytes" };
	static const char *const heads[] = { "one instance" };

	bench_text_append(t, "## Memory\n\nOne instance of `probe hold`: tree RSS + cgroup "
			     "(bench/README.md).\n\n");
	series_table(t, in, n, "memory", "system", keys, heads, 1, CELL_BYTES);
	image(t, plots_ref, "merge_memory", "memory per instance, system and host");
}

/* The syscall suite's entry of file's system `sys`, its op, its recorded ratio. */
static void syscall_cell(const cJSON *doc, const char *sys, const char *op, char *buf, size_t size)
{
	const cJSON *suite = suite_of(doc, "syscall"), *o = NULL, *e, *r;
	const cJSON *s = bench_entry_by_name(cJSON_GetObjectItemCaseSensitive(suite, "systems"), sys);
	struct bench_interval ci, rci;
	char m[80], q[80];

	if (s == NULL) {
		snprintf(buf, size, "not run");
		return;
	}
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "available"))) {
		snprintf(buf, size, "unavailable");
		return;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s, "ops"))
		if (strcmp(bench_json_string(e, "name", ""), op) == 0)
			o = e;
	if (o == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	bench_format_ns_ci(bench_json_number(o, "median", -1),
			   bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(o, "ci95"), &ci) == 0
				   ? &ci : NULL, m, sizeof(m));
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(suite, "ratios"))
		if (strcmp(bench_json_string(r, "system", ""), sys) == 0 &&
		    strcmp(bench_json_string(r, "op", ""), op) == 0) {
			bench_format_ratio_ci(bench_json_number(r, "ratio", 0),
					      bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(r, "ci95"),
								   &rci) == 0 ? &rci : NULL, q, sizeof(q));
			snprintf(buf, size, "%s (%s)", m, q);
			return;
		}
	snprintf(buf, size, "%s", m);
}

static void syscall(struct bench_text *t, const struct bench_merge_input *in, size_t n)
{
	const char *systems[MAX_ROWS], *ops[MAX_ROWS], *cells[1 + 1 + 16];
	char text[16][200], head[16][160];
	size_t idx[16], m = with_suite(in, n, "syscall", idx, 16), nsys, nops, i, j, k;

	nsys = bench_merge_names(in, n, "syscall", "systems", "name", systems, MAX_ROWS);
	nops = 0;
	for (i = 0; i < m; i++) {
		const cJSON *s, *o;

		cJSON_ArrayForEach(s, systems_of(in[idx[i]].doc, "syscall")) {
			cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(s, "ops")) {
				const char *name = bench_json_string(o, "name", NULL);
				bool known = false;

				for (k = 0; name != NULL && k < nops; k++)
					known |= strcmp(ops[k], name) == 0;
				if (name != NULL && !known && nops < MAX_ROWS)
					ops[nops++] = name;
			}
		}
	}
	bench_text_append(t, "## System calls and operations\n\nPer operation, the median over each "
			     "host's runs [95% CI]; in parentheses that host's own ratio to its own "
			     "native.\n\n");
	cells[0] = "operation";
	cells[1] = "system";
	for (i = 0; i < m; i++) {
		bench_merge_label(in, n, idx[i], head[i], sizeof(head[i]));
		cells[2 + i] = head[i];
	}
	bench_table_header_left(t, cells, (int)(2 + m), 2);
	for (j = 0; j < nops; j++)
		for (k = 0; k < nsys; k++) {
			bool any = false;

			cells[0] = ops[j];
			cells[1] = systems[k];
			for (i = 0; i < m; i++) {
				syscall_cell(in[idx[i]].doc, systems[k], ops[j], text[i], sizeof(text[i]));
				any |= strchr(text[i], ' ') != NULL; /* a figure, not a word */
				cells[2 + i] = text[i];
			}
			if (any)
				bench_table_row(t, cells, (int)(2 + m));
		}
	bench_text_append(t, "\n");
	not_measured(t, in, n, idx, m, "syscall", "ops");
}

static void build(struct bench_text *t, const struct bench_merge_input *in, size_t n,
		  const char *plots_ref)
{
	static const char *const keys[] = { "rebuild" };
	static const char *const heads[] = { "cached rebuild" };

	bench_text_append(t, "## Build: cached rebuild\n\nMedian [95% CI] of each host's cached "
			     "rebuilds of `bench/build/Dockerfile`.\n\n");
	series_table(t, in, n, "build", "builder", keys, heads, 1, CELL_NS);
	ratio_table(t, in, n, "build", "rebuild", "cached rebuild");
	image(t, plots_ref, "merge_build", "cached rebuild per builder and host");
}

static void lifecycle(struct bench_text *t, const struct bench_merge_input *in, size_t n,
		      const char *plots_ref)
{
	static const char *const keys[] = { "total" };
	static const char *const heads[] = { "create + start + delete" };

	bench_text_append(t, "## OCI lifecycle: create, start, delete\n\nMedian [95% CI] of each "
			     "host's sequences of `create`, `start`, wait, `delete` of `/bin/true`.\n\n");
	series_table(t, in, n, "lifecycle", "runtime", keys, heads, 1, CELL_NS);
	ratio_table(t, in, n, "lifecycle", "total", "total");
	image(t, plots_ref, "merge_lifecycle", "OCI lifecycle per runtime and host");
}

char *bench_merge_markdown(const struct bench_merge_input *in, size_t n, const char *plots_ref)
{
	struct bench_text t = { 0 };
	size_t i;

	bench_text_printf(&t, "# isolab benchmark report: %zu results side by side\n\nMerged by "
			      "`isolab-bench merge` from", n);
	for (i = 0; i < n; i++)
		bench_text_printf(&t, "%s`%s`", i == 0 ? " " : i + 1 == n ? " and " : ", ", in[i].name);
	bench_text_append(&t, "; definitions of every figure: [bench/README.md](../bench/README.md).\n\n"
			      "**No ratio across hosts:** every ratio below was taken within one "
			      "results file (one host, one run); no figure of one column is ever "
			      "divided by a figure of another.\n\n");
	hosts(&t, in, n);
	if (any_suite(in, n, "startup"))
		startup(&t, in, n, plots_ref);
	if (any_suite(in, n, "memory"))
		memory(&t, in, n, plots_ref);
	if (any_suite(in, n, "syscall"))
		syscall(&t, in, n);
	if (any_suite(in, n, "build"))
		build(&t, in, n, plots_ref);
	if (any_suite(in, n, "lifecycle"))
		lifecycle(&t, in, n, plots_ref);
	if (t.failed) {
		bench_text_free(&t);
		return NULL;
	}
	return t.s;
}
