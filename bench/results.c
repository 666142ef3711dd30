/* results.c: building, writing, finding and checking results files (see results.h). */
#include "bench/results.h"
#include "bench/checkpoint.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/mkdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

cJSON *bench_summary_json(const double *samples, size_t n, const char *unit)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON *arr;
	struct bench_summary s;
	struct bench_interval ci;
	size_t i;

	if (obj == NULL)
		return NULL;
	cJSON_AddStringToObject(obj, "unit", unit);
	cJSON_AddNumberToObject(obj, "n", (double)n);
	if (n > 0 && bench_summarize(samples, n, NULL, &s) == 0) {
		cJSON_AddNumberToObject(obj, "median", s.median);
		cJSON_AddNumberToObject(obj, "p5", s.p5);
		cJSON_AddNumberToObject(obj, "p95", s.p95);
		cJSON_AddNumberToObject(obj, "min", s.min);
		cJSON_AddNumberToObject(obj, "max", s.max);
		cJSON_AddNumberToObject(obj, "mean", s.mean);
	}
	if (n >= BENCH_CI_MIN_N && bench_ci_median(samples, n, BENCH_CI_SEED, &ci) == 0)
		bench_add_ci95(obj, "ci95", &ci);
	arr = cJSON_AddArrayToObject(obj, "samples");
	for (i = 0; arr != NULL && i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(samples[i]));
	return obj;
}

void bench_set_number(cJSON *obj, const char *key, double value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddNumberToObject(obj, key, value);
}

void bench_set_bool(cJSON *obj, const char *key, bool value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddBoolToObject(obj, key, value);
}

void bench_set_string(cJSON *obj, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddStringToObject(obj, key, value);
}

void bench_add_ci95(cJSON *obj, const char *key, const struct bench_interval *ci)
{
	const double pair[2] = { ci->lo, ci->hi };

	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddItemToObject(obj, key, cJSON_CreateDoubleArray(pair, 2));
}

int bench_ci95_from_json(const cJSON *pair, struct bench_interval *out)
{
	const cJSON *lo = cJSON_GetArrayItem(pair, 0), *hi = cJSON_GetArrayItem(pair, 1);

	if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 || !cJSON_IsNumber(lo) ||
	    !cJSON_IsNumber(hi) || lo->valuedouble > hi->valuedouble)
		return -EINVAL;
	out->lo = lo->valuedouble;
	out->hi = hi->valuedouble;
	return 0;
}

int bench_ci_ratio_json(const cJSON *a, const cJSON *b, struct bench_interval *out)
{
	double *sa = NULL, *sb = NULL;
	int na = a ? bench_samples_from_json(a, &sa) : -EINVAL;
	int nb = b ? bench_samples_from_json(b, &sb) : -EINVAL;
	int rc = na < 0 ? na : nb < 0 ? nb : 0;

	if (rc == 0)
		rc = bench_ci_ratio(sa, (size_t)na, sb, (size_t)nb, BENCH_CI_SEED, out);
	free(sa);
	free(sb);
	return rc;
}

/* The median of entry[key] (a summary object); -1 if it has no samples. */
static double median_of(const cJSON *entry, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(entry, key);

	return bench_json_number(s, "n", 0) > 0 ? bench_json_number(s, "median", -1) : -1;
}

cJSON *bench_ratios_json(const cJSON *systems, const char *const (*pairs)[2], size_t npairs,
			 const char *const *keys, size_t nkeys)
{
	cJSON *ratios = cJSON_CreateArray();
	size_t k, i;

	for (k = 0; ratios != NULL && nkeys > 0 && k < npairs; k++) {
		const cJSON *a = bench_entry_by_name(systems, pairs[k][0]);
		const cJSON *b = bench_entry_by_name(systems, pairs[k][1]);
		char name[160];
		cJSON *r, *ci95;

		if (a == NULL || b == NULL || median_of(a, keys[0]) <= 0 || median_of(b, keys[0]) <= 0)
			continue;
		snprintf(name, sizeof(name), "%s/%s", pairs[k][0], pairs[k][1]);
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", name);
		ci95 = cJSON_CreateObject();
		for (i = 0; i < nkeys; i++) {
			double ma = median_of(a, keys[i]), mb = median_of(b, keys[i]);
			struct bench_interval ci;

			cJSON_AddNumberToObject(r, keys[i], ma > 0 && mb > 0 ? ma / mb : 0);
			if (ma > 0 && mb > 0 &&
			    bench_ci_ratio_json(cJSON_GetObjectItemCaseSensitive(a, keys[i]),
						cJSON_GetObjectItemCaseSensitive(b, keys[i]), &ci) == 0)
				bench_add_ci95(ci95, keys[i], &ci);
		}
		if (cJSON_GetArraySize(ci95) > 0)
			cJSON_AddItemToObject(r, "ci95", ci95);
		else
			cJSON_Delete(ci95);
		cJSON_AddItemToArray(ratios, r);
	}
	return ratios;
}

void bench_summary_append(cJSON *obj, const char *key, double v, const char *unit)
{
	const cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
	double *samples = NULL;
	int n = old ? bench_samples_from_json(old, &samples) : 0;
	double one = v;

	if (n < 0)
		n = 0;
	if (samples != NULL) {
		double *grown = realloc(samples, ((size_t)n + 1) * sizeof(*samples));

		if (grown == NULL) {
			free(samples);
			return;
		}
		samples = grown;
		samples[n++] = v;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddItemToObject(obj, key, samples ? bench_summary_json(samples, (size_t)n, unit)
						: bench_summary_json(&one, 1, unit));
	free(samples);
}

double bench_json_number(const cJSON *obj, const char *key, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

const char *bench_json_string(const cJSON *obj, const char *key, const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : def;
}

int bench_summary_from_json(const cJSON *obj, struct bench_summary *out)
{
	const char *keys[] = { "n", "median", "p5", "p95" };
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(obj))
		return -EINVAL;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(obj, keys[i])))
			return -EINVAL;
	out->n = (size_t)bench_json_number(obj, "n", 0);
	out->median = bench_json_number(obj, "median", 0);
	out->p5 = bench_json_number(obj, "p5", 0);
	out->p95 = bench_json_number(obj, "p95", 0);
	out->min = bench_json_number(obj, "min", out->p5);
	out->max = bench_json_number(obj, "max", out->p95);
	out->mean = bench_json_number(obj, "mean", out->median);
	return 0;
}

int bench_samples_from_json(const cJSON *obj, double **out)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "samples");
	const cJSON *v;
	int n = 0;

	*out = NULL;
	if (!cJSON_IsArray(arr))
		return -EINVAL;
	*out = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(double));
	if (*out == NULL)
		return -ENOMEM;
	cJSON_ArrayForEach(v, arr) {
		if (cJSON_IsNumber(v))
			(*out)[n++] = v->valuedouble;
	}
	return n;
}

int bench_results_path(char *buf, size_t size, const char *dir, const char *env,
		       time_t when)
{
	struct tm tm;
	char stamp[32];

	gmtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if ((size_t)snprintf(buf, size, "%s/%s/%s.json", dir, env, stamp) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int bench_results_prepare(const char *dir, const char *env, time_t when, char *path_out,
			  size_t path_size, struct isolab_error *err)
{
	char sub[4096];
	int rc;

	if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, env) >= sizeof(sub))
		return isolab_error_set(err, -ENAMETOOLONG, "results dir `%s`: too long", dir);
	rc = isolab_mkdir_p(sub, 0755);
	if (rc < 0)
		return isolab_error_errno(err, rc, "create `%s`", sub);
	rc = bench_results_path(path_out, path_size, dir, env, when);
	if (rc < 0)
		return isolab_error_set(err, rc, "results path under `%s`: too long", dir);
	return 0;
}

int bench_results_write(const char *dir, const char *env, time_t when, const cJSON *doc,
			char *path_out, size_t path_size, struct isolab_error *err)
{
	int rc = bench_results_prepare(dir, env, when, path_out, path_size, err);

	return rc < 0 ? rc : isolab_json_write_atomic(path_out, doc, err);
}

/* A results file name: 16 characters of timestamp then ".json". */
static int is_results_name(const char *name)
{
	size_t len = strlen(name);

	return len == 21 && strcmp(name + 16, ".json") == 0 && name[8] == 'T' && name[15] == 'Z';
}

int bench_results_newest(const char *dir, char *out, size_t size, struct isolab_error *err)
{
	static const char *envs[] = { "native-kvm", "lab", "host-nokvm" };
	char best[32] = "";
	const char *best_env = NULL;
	size_t i;

	for (i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
		char sub[4096];
		DIR *d;
		const struct dirent *e;

		snprintf(sub, sizeof(sub), "%s/%s", dir, envs[i]);
		d = opendir(sub);
		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL)
			if (is_results_name(e->d_name) && strcmp(e->d_name, best) > 0) {
				snprintf(best, sizeof(best), "%s", e->d_name);
				best_env = envs[i];
			}
		closedir(d);
	}
	if (best_env == NULL)
		return isolab_error_set(err, -ENOENT,
					"no results file under `%s` (run `isolab-bench run` first)", dir);
	if ((size_t)snprintf(out, size, "%s/%s/%s", dir, best_env, best) >= size)
		return isolab_error_set(err, -ENAMETOOLONG, "results path under `%s`: too long", dir);
	return 0;
}

static int need(const cJSON *obj, const char *key, int (*is)(const cJSON *), const char *where,
		struct isolab_error *err)
{
	if (!is(cJSON_GetObjectItemCaseSensitive(obj, key)))
		return isolab_error_set(err, -EINVAL, "results: %s: missing or mistyped `%s`", where, key);
	return 0;
}

static int is_string(const cJSON *v) { return cJSON_IsString(v); }
static int is_array(const cJSON *v) { return cJSON_IsArray(v); }
static int is_object(const cJSON *v) { return cJSON_IsObject(v); }

int bench_results_check(const cJSON *doc, struct isolab_error *err)
{
	static const char *env_keys[] = { "name", "kvm", "kernel", "cpu", "git_commit", "timestamp" };
	static const char *suites[] = { "startup", "memory", "syscall", "build", "lifecycle" };
	const cJSON *env, *all;
	size_t i;
	int rc;

	if (!cJSON_IsObject(doc))
		return isolab_error_set(err, -EINVAL, "results: not a JSON object");
	if (strcmp(bench_json_string(doc, "format", ""), BENCH_RESULTS_FORMAT) != 0)
		return isolab_error_set(err, -EINVAL, "results: format is not `%s`", BENCH_RESULTS_FORMAT);
	if ((rc = need(doc, "environment", is_object, "top", err)) < 0)
		return rc;
	env = cJSON_GetObjectItemCaseSensitive(doc, "environment");
	for (i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++)
		if ((rc = need(env, env_keys[i], is_string, "environment", err)) < 0)
			return rc;
	if ((rc = need(doc, "suites", is_object, "top", err)) < 0)
		return rc;
	all = cJSON_GetObjectItemCaseSensitive(doc, "suites");
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(all, suites[i]);

		if (s == NULL)
			continue; /* a suite not asked for */
		if ((rc = need(s, "systems", is_array, suites[i], err)) < 0)
			return rc;
	}
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void walk_times(const cJSON *node, const char *path, bool timed, bench_time_fn fn,
		       void *arg)
{
	const cJSON *child;

	cJSON_ArrayForEach(child, node) {
		char name[256];
		const char *key = child->string;
		bool in_timed = timed;

		if (cJSON_IsArray(node)) {
			/* {"name": "probe", "ns": 123} inside a timed array */
			const char *n = bench_json_string(child, "name", NULL);
			double v = bench_json_number(child, "ns",
					bench_json_number(child, "t_ns",
					bench_json_number(child, "time_ns", -1)));

			if (timed && n != NULL && v >= 0) {
				snprintf(name, sizeof(name), "%s.%s", path, n);
				fn(arg, name, v);
			}
			continue;
		}
		if (key == NULL)
			continue;
		snprintf(name, sizeof(name), "%s%s%s", path, path[0] ? "." : "", key);
		if (strcmp(key, "phases") == 0 || strcmp(key, "markers") == 0 || ends_with(key, "_ns"))
			in_timed = true;
		if (cJSON_IsNumber(child) && (timed || ends_with(key, "_ns")))
			fn(arg, name, child->valuedouble);
		else if (cJSON_IsObject(child) || cJSON_IsArray(child))
			walk_times(child, name, in_timed, fn, arg);
	}
}

void bench_stats_times(const cJSON *stats, bench_time_fn fn, void *arg)
{
	if (stats != NULL)
		walk_times(stats, "", false, fn, arg);
}

double bench_stats_memory_bytes(const cJSON *stats)
{
	const cJSON *mem = cJSON_GetObjectItemCaseSensitive(stats, "memory");
	double own = bench_json_number(mem, "vmm_own_peak_bytes", -1);
	double touched = bench_json_number(mem, "guest_pages_touched", -1);
	double page = bench_json_number(mem, "page_size", 4096);

	if (own >= 0 && touched >= 0)   /* isolab-vmm */
		return own + touched * page;
	return bench_json_number(mem, "peak_bytes", -1); /* isolab-ctr: the cgroup's peak */
}
