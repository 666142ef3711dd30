/*
 * test_bench.c: unit tests for isolab-bench's pure parts: statistics,
 * results JSON (written, read back, checked), --stats parsing, argument
 * parsing, /proc and cgroup text parsers, report formatting and tables,
 * the build suite's reading of a builder's output (cached or not), and the
 * lifecycle suite's pure parts (bundle config, phases, order, pid files).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/args.h"
#include "bench/build_check.h"
#include "bench/lifecycle.h"
#include "bench/memstat.h"
#include "bench/merge.h"
#include "bench/netstats.h"
#include "bench/oci_config.h"
#include "bench/report.h"
#include "bench/results.h"
#include "bench/rounds.h"
#include "bench/stats.h"
#include "bench/table.h"
#include "common/jsonfile.h"

#define EPS 1e-9
/* cmocka 1.1 has only float comparisons: compare doubles here. */
#define assert_double_equal(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

/* ---- statistics ---- */

static void stats_odd_count(void **state)
{
	const double v[] = { 5, 1, 4, 2, 3 };
	struct bench_summary s;

	assert_int_equal(bench_summarize(v, 5, NULL, &s), 0);
	assert_int_equal(s.n, 5);
	assert_double_equal(s.median, 3, EPS);
	assert_double_equal(s.min, 1, EPS);
	assert_double_equal(s.max, 5, EPS);
	assert_double_equal(s.mean, 3, EPS);
	/* h = 4 * 0.05 = 0.2 -> 1 + 0.2 * (2 - 1) */
	assert_double_equal(s.p5, 1.2, EPS);
	/* h = 4 * 0.95 = 3.8 -> 4 + 0.8 * (5 - 4) */
	assert_double_equal(s.p95, 4.8, EPS);
	/* the input is left alone */
	assert_double_equal(v[0], 5, EPS);
}

static void stats_even_count(void **state)
{
	const double v[] = { 10, 40, 20, 30 };
	double scratch[4];
	struct bench_summary s;

	assert_int_equal(bench_summarize(v, 4, scratch, &s), 0);
	assert_double_equal(s.median, 25, EPS);
	/* h = 3 * 0.05 = 0.15 -> 10 + 0.15 * 10 */
	assert_double_equal(s.p5, 11.5, EPS);
	assert_double_equal(s.p95, 38.5, EPS);
}

static void stats_one_sample(void **state)
{
	const double v[] = { 42 };
	struct bench_summary s;

	assert_int_equal(bench_summarize(v, 1, NULL, &s), 0);
	assert_double_equal(s.median, 42, EPS);
	assert_double_equal(s.p5, 42, EPS);
	assert_double_equal(s.p95, 42, EPS);
}

static void stats_empty_is_an_error(void **state)
{
	struct bench_summary s;

	assert_int_equal(bench_summarize(NULL, 0, NULL, &s), -EINVAL);
	assert_double_equal(bench_percentile_sorted(NULL, 0, 0.5), 0, EPS);
}

static void stats_percentile_ends_and_ties(void **state)
{
	const double v[] = { 1, 2, 2, 2, 100 };

	assert_double_equal(bench_percentile_sorted(v, 5, 0), 1, EPS);
	assert_double_equal(bench_percentile_sorted(v, 5, 1), 100, EPS);
	assert_double_equal(bench_percentile_sorted(v, 5, 0.5), 2, EPS);
	assert_double_equal(bench_percentile_sorted(v, 5, -1), 1, EPS);
	assert_double_equal(bench_percentile_sorted(v, 5, 2), 100, EPS);
	/* 101 values 0..100: percentile p is exactly 100p */
	{
		double w[101];
		int i;

		for (i = 0; i < 101; i++)
			w[i] = i;
		assert_double_equal(bench_percentile_sorted(w, 101, 0.05), 5, EPS);
		assert_double_equal(bench_percentile_sorted(w, 101, 0.95), 95, EPS);
	}
}

static void stats_cdf_points(void **state)
{
	const double v[] = { 3, 1, 2, 4 };
	double xs[4], ys[4];

	assert_int_equal(bench_cdf(v, 4, xs, ys), 4);
	assert_double_equal(xs[0], 1, EPS);
	assert_double_equal(xs[3], 4, EPS);
	assert_double_equal(ys[0], 0.25, EPS);
	assert_double_equal(ys[1], 0.5, EPS);
	assert_double_equal(ys[3], 1.0, EPS);
}

/* ---- bootstrap intervals and the rounds' plan ---- */

/* n values of a skewed distribution, deterministic: 100 + an exponential tail. */
static double *skewed(size_t n, uint64_t seed)
{
	struct bench_rng rng;
	double *v = malloc(n * sizeof(*v));
	size_t i;

	assert_non_null(v);
	bench_rng_seed(&rng, seed);
	for (i = 0; i < n; i++)
		v[i] = 100.0 - 20.0 * log(((double)(bench_rng_next(&rng) >> 11) + 0.5) / 9007199254740992.0);
	return v;
}

static void median_in_place_is_the_summary_median(void **state)
{
	struct bench_rng rng;
	double v[64], copy[64];
	struct bench_summary s;
	size_t n, i;
	int trial;

	bench_rng_seed(&rng, 99);
	for (trial = 0; trial < 400; trial++) {
		n = 1 + bench_rng_below(&rng, 64);
		for (i = 0; i < n; i++) /* few distinct values on odd trials: many ties */
			v[i] = (double)bench_rng_below(&rng, trial % 2 ? 4 : 1000);
		memcpy(copy, v, n * sizeof(v[0]));
		assert_int_equal(bench_summarize(copy, n, NULL, &s), 0);
		assert_double_equal(bench_median_in_place(v, n), s.median, 0);
	}
}

static void rng_is_seeded_and_uniform(void **state)
{
	struct bench_rng a, b;
	unsigned counts[10] = { 0 };
	int i;

	/* splitmix64's published first output for seed 0 */
	bench_rng_seed(&a, 0);
	assert_true(bench_rng_next(&a) == UINT64_C(0xe220a8397b1dcdaf));
	bench_rng_seed(&a, 42);
	bench_rng_seed(&b, 42);
	for (i = 0; i < 100; i++)
		assert_true(bench_rng_next(&a) == bench_rng_next(&b));
	for (i = 0; i < 10000; i++)
		counts[bench_rng_below(&a, 10)]++;
	for (i = 0; i < 10; i++)
		assert_true(counts[i] > 850 && counts[i] < 1150); /* 1000 +- 5 sd */
	assert_int_equal(bench_rng_below(&a, 1), 0);
}

static void ci_median_contains_the_median_and_is_reproducible(void **state)
{
	double *v = skewed(31, 7);
	struct bench_summary s;
	struct bench_interval ci, again, other;

	assert_int_equal(bench_summarize(v, 31, NULL, &s), 0);
	assert_int_equal(bench_ci_median(v, 31, BENCH_CI_SEED, &ci), 0);
	assert_true(ci.lo <= s.median && s.median <= ci.hi);
	assert_true(ci.lo < ci.hi);
	/* the interval is within the samples and narrower than p5..p95 */
	assert_true(ci.lo >= s.min && ci.hi <= s.max);
	assert_true(ci.hi - ci.lo < s.p95 - s.p5);
	/* the same samples and seed: the very same interval */
	assert_int_equal(bench_ci_median(v, 31, BENCH_CI_SEED, &again), 0);
	assert_true(again.lo == ci.lo && again.hi == ci.hi);
	/* another seed: an interval about as wide, around the same median */
	assert_int_equal(bench_ci_median(v, 31, 1, &other), 0);
	assert_true(other.lo <= s.median && s.median <= other.hi);
	assert_true(fabs((other.hi - other.lo) - (ci.hi - ci.lo)) < 0.5 * (ci.hi - ci.lo));
	free(v);
}

static void ci_median_narrows_with_more_samples(void **state)
{
	double *small = skewed(10, 3), *large = skewed(1000, 3);
	struct bench_interval a, b;

	assert_int_equal(bench_ci_median(small, 10, BENCH_CI_SEED, &a), 0);
	assert_int_equal(bench_ci_median(large, 1000, BENCH_CI_SEED, &b), 0);
	/* the standard error of a median shrinks as 1/sqrt(n): 10x fewer, ~3x wider */
	assert_true(b.hi - b.lo < (a.hi - a.lo) / 2);
	free(small);
	free(large);
}

static void ci_median_known_cases(void **state)
{
	const double same[] = { 5, 5, 5, 5, 5 }, three[] = { 1, 2, 3 };
	struct bench_interval ci = { -1, -1 };

	/* all equal: every resample's median is 5, a zero-width interval */
	assert_int_equal(bench_ci_median(same, 5, BENCH_CI_SEED, &ci), 0);
	assert_double_equal(ci.lo, 5, 0);
	assert_double_equal(ci.hi, 5, 0);
	/* three samples: a resample's median is one of them, the interval [1, 3] */
	assert_int_equal(bench_ci_median(three, 3, BENCH_CI_SEED, &ci), 0);
	assert_double_equal(ci.lo, 1, 0);
	assert_double_equal(ci.hi, 3, 0);
	/* 0, 1 or 2 samples: no interval (a results file has no "ci95" there) */
	ci.lo = ci.hi = -1;
	assert_int_equal(bench_ci_median(NULL, 0, BENCH_CI_SEED, &ci), -EDOM);
	assert_int_equal(bench_ci_median(three, 1, BENCH_CI_SEED, &ci), -EDOM);
	assert_int_equal(bench_ci_median(three, 2, BENCH_CI_SEED, &ci), -EDOM);
	assert_double_equal(ci.lo, -1, 0);
}

static void ci_median_even_counts_and_ties(void **state)
{
	/* even n: a resample's median is the mean of its two middle values, as bench_summarize's */
	const double v[] = { 10, 20, 30, 40 }, ties[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 9 };
	struct bench_interval ci;

	assert_int_equal(bench_ci_median(v, 4, BENCH_CI_SEED, &ci), 0);
	assert_true(ci.lo >= 10 && ci.lo < 25 && ci.hi > 25 && ci.hi <= 40);
	/* nine ties and one outlier: the median stays 1 in (nearly) every resample */
	assert_int_equal(bench_ci_median(ties, 10, BENCH_CI_SEED, &ci), 0);
	assert_double_equal(ci.lo, 1, 0);
	assert_double_equal(ci.hi, 1, 0);
}

static void ci_ratio_of_medians(void **state)
{
	double *a = skewed(30, 11), *b = skewed(30, 12), *b2 = malloc(30 * sizeof(double));
	const double one[] = { 4, 4, 4 }, two[] = { 2, 2, 2 }, zero[] = { 0, 0, 0 };
	struct bench_summary sa, sb;
	struct bench_interval ci, again;
	size_t i;

	assert_non_null(b2);
	for (i = 0; i < 30; i++)
		b2[i] = 2 * b[i];
	assert_int_equal(bench_summarize(a, 30, NULL, &sa), 0);
	assert_int_equal(bench_summarize(b2, 30, NULL, &sb), 0);
	assert_int_equal(bench_ci_ratio(a, 30, b2, 30, BENCH_CI_SEED, &ci), 0);
	assert_true(ci.lo <= sa.median / sb.median && sa.median / sb.median <= ci.hi);
	assert_true(ci.lo > 0.3 && ci.hi < 0.8);
	assert_int_equal(bench_ci_ratio(a, 30, b2, 30, BENCH_CI_SEED, &again), 0);
	assert_true(again.lo == ci.lo && again.hi == ci.hi);
	/* constant sides: exactly the ratio */
	assert_int_equal(bench_ci_ratio(one, 3, two, 3, BENCH_CI_SEED, &ci), 0);
	assert_double_equal(ci.lo, 2, 0);
	assert_double_equal(ci.hi, 2, 0);
	/* too few on either side, or a zero denominator: no interval */
	assert_int_equal(bench_ci_ratio(one, 2, two, 3, BENCH_CI_SEED, &ci), -EDOM);
	assert_int_equal(bench_ci_ratio(one, 3, two, 2, BENCH_CI_SEED, &ci), -EDOM);
	assert_int_equal(bench_ci_ratio(one, 3, zero, 3, BENCH_CI_SEED, &ci), -EDOM);
	free(a);
	free(b);
	free(b2);
}

static void round_order_is_a_seeded_shuffle(void **state)
{
	size_t order[6], again[6], firsts[6] = { 0 };
	unsigned r, differ = 0;
	size_t i;

	for (r = 1; r <= 600; r++) {
		bool seen[6] = { false };

		bench_round_order(1234, r, 6, order);
		bench_round_order(1234, r, 6, again);
		for (i = 0; i < 6; i++) {
			assert_true(order[i] < 6);
			assert_false(seen[order[i]]); /* a permutation */
			seen[order[i]] = true;
			assert_int_equal(order[i], again[i]);
		}
		firsts[order[0]]++;
		bench_round_order(1235, r, 6, again);
		differ += memcmp(order, again, sizeof(order)) != 0;
	}
	/* every system goes first about 1/6 of the time; another seed, other orders */
	for (i = 0; i < 6; i++)
		assert_true(firsts[i] > 60 && firsts[i] < 140);
	assert_true(differ > 500);
	/* two systems: a fair coin each round, no runs from one round to the next */
	{
		size_t prev = 2;
		unsigned zero_first = 0, changes = 0;

		for (r = 1; r <= 1000; r++) {
			bench_round_order(4, r, 2, order);
			zero_first += order[0] == 0;
			changes += prev != 2 && prev != order[0];
			prev = order[0];
		}
		assert_true(zero_first > 430 && zero_first < 570);
		assert_true(changes > 430 && changes < 570);
	}
	/* one system, or none */
	bench_round_order(1, 1, 1, order);
	assert_int_equal(order[0], 0);
	bench_round_order(1, 1, 0, order);
}

static void rounds_spread_runs_in_batches(void **state)
{
	unsigned first = 99, r, total = 0, next = 1;

	assert_int_equal(bench_rounds_for(0, 30, 30), 30);  /* default: one run per round */
	assert_int_equal(bench_rounds_for(0, 5, 5), 5);
	assert_int_equal(bench_rounds_for(4, 30, 30), 4);   /* --rounds */
	assert_int_equal(bench_rounds_for(50, 30, 30), 30); /* never more rounds than runs */
	assert_int_equal(bench_rounds_for(0, 0, 0), 1);
	/* 10 runs in 4 rounds: 3, 3, 2, 2, numbered on */
	assert_int_equal(bench_round_batch(10, 4, 1, &first), 3);
	assert_int_equal(first, 1);
	assert_int_equal(bench_round_batch(10, 4, 2, &first), 3);
	assert_int_equal(first, 4);
	assert_int_equal(bench_round_batch(10, 4, 3, &first), 2);
	assert_int_equal(first, 7);
	assert_int_equal(bench_round_batch(10, 4, 4, &first), 2);
	assert_int_equal(first, 9);
	assert_int_equal(bench_round_batch(10, 4, 5, &first), 0);
	assert_int_equal(bench_round_batch(10, 4, 0, &first), 0);
	for (r = 1; r <= 7; r++) {
		unsigned n = bench_round_batch(30, 7, r, &first);

		assert_int_equal(first, next);
		next += n;
		total += n;
	}
	assert_int_equal(total, 30);
}

/* ---- results JSON ---- */

static cJSON *sample_doc(void)
{
	const double first[] = { 3e6, 1e6, 2e6 }, ex[] = { 4e6, 2e6, 3e6 };
	cJSON *doc = cJSON_CreateObject(), *env, *suites, *st, *sys, *e;

	cJSON_AddStringToObject(doc, "format", BENCH_RESULTS_FORMAT);
	env = cJSON_AddObjectToObject(doc, "environment");
	cJSON_AddStringToObject(env, "name", "lab");
	cJSON_AddStringToObject(env, "kvm", "lab");
	cJSON_AddStringToObject(env, "kernel", "Linux 6.1.0 x86_64");
	cJSON_AddStringToObject(env, "cpu", "AMD EPYC");
	cJSON_AddStringToObject(env, "git_commit", "abc123");
	cJSON_AddStringToObject(env, "timestamp", "2026-11-23T03:00:00Z");
	suites = cJSON_AddObjectToObject(doc, "suites");
	st = cJSON_AddObjectToObject(suites, "startup");
	cJSON_AddNumberToObject(st, "runs", 3);
	sys = cJSON_AddArrayToObject(st, "systems");
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "native");
	cJSON_AddStringToObject(e, "kind", "process");
	cJSON_AddBoolToObject(e, "available", 1);
	cJSON_AddItemToObject(e, "first_line", bench_summary_json(first, 3, "ns"));
	cJSON_AddItemToObject(e, "exit", bench_summary_json(ex, 3, "ns"));
	cJSON_AddItemToArray(sys, e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "crun");
	cJSON_AddBoolToObject(e, "available", 0);
	cJSON_AddStringToObject(e, "note", "cgroups in hybrid mode | not supported");
	cJSON_AddItemToArray(sys, e);
	return doc;
}

static void results_write_and_read_back(void **state)
{
	char dir[] = "/tmp/isolab-bench-test.XXXXXX", path[4096], newest[4096];
	struct isolab_error err = { 0 };
	cJSON *doc = sample_doc(), *back = NULL;
	const cJSON *first;
	struct bench_summary s;
	double *samples = NULL;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(bench_results_write(dir, "lab", 1795402800, doc, path, sizeof(path), &err), 0);
	assert_non_null(strstr(path, "/lab/20261123T030000Z.json"));
	assert_int_equal(isolab_json_read(path, &back, &err), 0);
	assert_int_equal(bench_results_check(back, &err), 0);
	first = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(back, "suites"),
							 "startup"), "systems"), 0), "first_line");
	assert_int_equal(bench_summary_from_json(first, &s), 0);
	assert_int_equal(s.n, 3);
	assert_double_equal(s.median, 2e6, EPS);
	assert_int_equal(bench_samples_from_json(first, &samples), 3);
	/* raw samples keep the order they were taken in */
	assert_double_equal(samples[0], 3e6, EPS);
	assert_double_equal(samples[1], 1e6, EPS);
	free(samples);
	/* newest: a later file wins, a stray file is ignored */
	assert_int_equal(bench_results_write(dir, "native-kvm", 1795402900, doc, newest, sizeof(newest), &err), 0);
	{
		char stray[4200];
		FILE *f;

		snprintf(stray, sizeof(stray), "%s/lab/notes.json", dir);
		f = fopen(stray, "w");
		assert_non_null(f);
		fclose(f);
	}
	assert_int_equal(bench_results_newest(dir, path, sizeof(path), &err), 0);
	assert_string_equal(path, newest);
	cJSON_Delete(doc);
	cJSON_Delete(back);
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void results_newest_none(void **state)
{
	char path[256];
	struct isolab_error err = { 0 };

	assert_int_equal(bench_results_newest("/nonexistent-isolab", path, sizeof(path), &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no results file"));
}

static void results_check_finds_holes(void **state)
{
	struct isolab_error err = { 0 };
	cJSON *doc = sample_doc();

	assert_int_equal(bench_results_check(doc, &err), 0);
	cJSON_DeleteItemFromObject(cJSON_GetObjectItemCaseSensitive(doc, "environment"), "cpu");
	assert_int_equal(bench_results_check(doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "cpu"));
	cJSON_Delete(doc);
	doc = sample_doc();
	cJSON_ReplaceItemInObject(doc, "format", cJSON_CreateString("other/9"));
	assert_int_equal(bench_results_check(doc, &err), -EINVAL);
	cJSON_Delete(doc);
	doc = sample_doc();
	cJSON_DeleteItemFromObject(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "suites"), "startup"), "systems");
	assert_int_equal(bench_results_check(doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "startup"));
	cJSON_Delete(doc);
}

static void summary_json_of_nothing(void **state)
{
	cJSON *o = bench_summary_json(NULL, 0, "ns");
	struct bench_summary s;

	assert_int_equal(bench_json_number(o, "n", -1), 0);
	assert_int_equal(bench_summary_from_json(o, &s), -EINVAL); /* no median */
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "ci95"));
	cJSON_Delete(o);
}

static void summary_json_has_its_interval_from_three_samples(void **state)
{
	const double v[] = { 3e6, 1e6, 2e6, 2e6, 2e6 };
	struct bench_interval ci, direct;
	cJSON *o;

	/* one or two samples: a median, no interval */
	o = bench_summary_json(v, 2, "ns");
	assert_double_equal(bench_json_number(o, "median", 0), 2e6, EPS);
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "ci95"));
	cJSON_Delete(o);
	/* three and more: "ci95": [lo, hi], the bootstrap interval with BENCH_CI_SEED */
	o = bench_summary_json(v, 5, "ns");
	assert_int_equal(bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(o, "ci95"), &ci), 0);
	assert_int_equal(bench_ci_median(v, 5, BENCH_CI_SEED, &direct), 0);
	assert_true(ci.lo == direct.lo && ci.hi == direct.hi);
	assert_true(ci.lo <= 2e6 && 2e6 <= ci.hi);
	/* appending recomputes it */
	bench_summary_append(o, "x", 1, "ns");
	bench_summary_append(o, "x", 2, "ns");
	assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "x"), "ci95"));
	bench_summary_append(o, "x", 3, "ns");
	assert_int_equal(bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(o, "x"), "ci95"), &ci), 0);
	assert_double_equal(ci.lo, 1, 0);
	assert_double_equal(ci.hi, 3, 0);
	cJSON_Delete(o);
	/* not a [lo, hi] pair */
	o = cJSON_Parse("{\"a\": [2, 1], \"b\": [1], \"c\": \"x\"}");
	assert_int_equal(bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(o, "a"), &ci), -EINVAL);
	assert_int_equal(bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(o, "b"), &ci), -EINVAL);
	assert_int_equal(bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(o, "c"), &ci), -EINVAL);
	assert_int_equal(bench_ci95_from_json(NULL, &ci), -EINVAL);
	cJSON_Delete(o);
}

static void ratios_json_have_intervals(void **state)
{
	static const char *const pairs[][2] = { { "a", "b" }, { "a", "c" } };
	static const char *const keys[] = { "first_line", "exit" };
	const double a[] = { 10, 11, 12 }, b[] = { 20, 22, 24 }, c2[] = { 5, 6 };
	cJSON *systems = cJSON_CreateArray(), *e, *ratios;
	const cJSON *r, *ci;
	struct bench_interval iv;

	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "a");
	cJSON_AddItemToObject(e, "first_line", bench_summary_json(a, 3, "ns"));
	cJSON_AddItemToObject(e, "exit", bench_summary_json(a, 3, "ns"));
	cJSON_AddItemToArray(systems, e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "b");
	cJSON_AddItemToObject(e, "first_line", bench_summary_json(b, 3, "ns"));
	cJSON_AddItemToObject(e, "exit", bench_summary_json(b, 2, "ns")); /* too few for an interval */
	cJSON_AddItemToArray(systems, e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "c");
	cJSON_AddItemToObject(e, "first_line", bench_summary_json(c2, 2, "ns"));
	cJSON_AddItemToArray(systems, e);
	ratios = bench_ratios_json(systems, pairs, 2, keys, 2);
	assert_int_equal(cJSON_GetArraySize(ratios), 2);
	/* a/b: the value as before, its interval beside it under "ci95" */
	r = cJSON_GetArrayItem(ratios, 0);
	assert_string_equal(bench_json_string(r, "name", ""), "a/b");
	assert_double_equal(bench_json_number(r, "first_line", 0), 0.5, EPS);
	ci = cJSON_GetObjectItemCaseSensitive(r, "ci95");
	assert_int_equal(bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(ci, "first_line"), &iv), 0);
	/* resampled medians 10..12 over 20..24 */
	assert_true(iv.lo >= 10.0 / 24 - EPS && iv.lo <= 0.5 && iv.hi >= 0.5 && iv.hi <= 12.0 / 20 + EPS);
	assert_null(cJSON_GetObjectItemCaseSensitive(ci, "exit"));
	/* a/c: two samples of c, no interval at all */
	r = cJSON_GetArrayItem(ratios, 1);
	assert_double_equal(bench_json_number(r, "first_line", 0), 11 / 5.5, EPS);
	assert_null(cJSON_GetObjectItemCaseSensitive(r, "ci95"));
	cJSON_Delete(ratios);
	cJSON_Delete(systems);
}

struct collected {
	char names[16][64];
	double ns[16];
	int n;
};

static void collect(void *arg, const char *name, double ns)
{
	struct collected *c = arg;

	if (c->n < 16) {
		snprintf(c->names[c->n], sizeof(c->names[0]), "%s", name);
		c->ns[c->n++] = ns;
	}
}

static double find(const struct collected *c, const char *name)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->names[i], name) == 0)
			return c->ns[i];
	return -1;
}

static void stats_file_times_and_memory(void **state)
{
	const char *vmm =
		"{\"program\":\"isolab-vmm\",\"cpus\":1,"
		"\"times_ns\":{\"process_start\":0,\"vm_created\":1000,\"exit\":9000},"
		"\"markers\":[{\"name\":\"init\",\"ns\":5000},{\"name\":\"probe\",\"ns\":7000}],"
		"\"exits\":{\"total\":10},"
		"\"memory\":{\"guest_pages_touched\":100,\"page_size\":4096,"
		"\"vmm_peak_rss_bytes\":999999999,\"vmm_own_peak_bytes\":500000}}";
	const char *ctr = "{\"phases_ns\":{\"clone\":300,\"exec\":700},"
			  "\"memory\":{\"peak_bytes\":262144,\"limit_bytes\":null}}";
	cJSON *a = cJSON_Parse(vmm), *b = cJSON_Parse(ctr);
	struct collected c = { 0 };

	bench_stats_times(a, collect, &c);
	assert_double_equal(find(&c, "times_ns.vm_created"), 1000, EPS);
	assert_double_equal(find(&c, "markers.probe"), 7000, EPS);
	assert_double_equal(find(&c, "markers.init"), 5000, EPS);
	/* counters are not times */
	assert_double_equal(find(&c, "exits.total"), -1, EPS);
	assert_double_equal(find(&c, "cpus"), -1, EPS);
	assert_double_equal(bench_stats_memory_bytes(a), 500000 + 100 * 4096, EPS);
	memset(&c, 0, sizeof(c));
	bench_stats_times(b, collect, &c);
	assert_double_equal(find(&c, "phases_ns.exec"), 700, EPS);
	assert_double_equal(bench_stats_memory_bytes(b), 262144, EPS);
	assert_true(bench_stats_memory_bytes(NULL) < 0);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* ---- arguments ---- */

static int parse(struct bench_args *a, struct isolab_error *err, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "isolab-bench";
	va_start(ap, err);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	return bench_parse_args(argc, argv, a, err);
}

static void args_defaults_and_quick(void **state)
{
	struct isolab_error err = { 0 };
	struct bench_args a;

	assert_int_equal(parse(&a, &err, "run", NULL), 0);
	assert_int_equal(a.command, BENCH_CMD_RUN);
	assert_int_equal(a.runs, BENCH_DEFAULT_RUNS);
	assert_int_equal(a.density_max, BENCH_DEFAULT_DENSITY_MAX);
	assert_int_equal(a.suites, BENCH_SUITE_ALL);
	assert_string_equal(a.results_dir, "results");
	assert_int_equal(parse(&a, &err, "run", "--quick", NULL), 0);
	assert_int_equal(a.runs, BENCH_QUICK_RUNS);
	assert_int_equal(a.density_max, BENCH_QUICK_DENSITY_MAX);
	/* explicit values win over --quick, in either order */
	assert_int_equal(parse(&a, &err, "run", "--runs", "7", "--quick", NULL), 0);
	assert_int_equal(a.runs, 7);
	assert_int_equal(a.density_max, BENCH_QUICK_DENSITY_MAX);
	/* the build suite: in the default list; its rebuilds are --runs, else 10 (quick: 3) */
	assert_int_equal(parse(&a, &err, "run", NULL), 0);
	assert_true(a.suites & BENCH_SUITE_BUILD);
	assert_int_equal(a.build_runs, BENCH_DEFAULT_BUILD_RUNS);
	assert_int_equal(parse(&a, &err, "run", "--quick", NULL), 0);
	assert_int_equal(a.build_runs, BENCH_QUICK_RUNS);
	assert_int_equal(parse(&a, &err, "run", "--quick", "--runs", "12", NULL), 0);
	assert_int_equal(a.build_runs, 12);
	assert_int_equal(parse(&a, &err, "run", "--suites", "build", "--runs", "5", NULL), 0);
	assert_int_equal(a.suites, BENCH_SUITE_BUILD);
	assert_int_equal(a.build_runs, 5);
	assert_int_equal(a.runs, 5);
	/* the lifecycle suite: in the default list; its rounds are --runs (quick: 3) */
	assert_int_equal(parse(&a, &err, "run", NULL), 0);
	assert_true(a.suites & BENCH_SUITE_LIFECYCLE);
	assert_int_equal(parse(&a, &err, "run", "--suites", "lifecycle", "--quick", NULL), 0);
	assert_int_equal(a.suites, BENCH_SUITE_LIFECYCLE);
	assert_int_equal(a.runs, BENCH_QUICK_RUNS);
	assert_int_equal(parse(&a, &err, "run", "--suites", "build,lifecycle", NULL), 0);
	assert_int_equal(a.suites, BENCH_SUITE_BUILD | BENCH_SUITE_LIFECYCLE);
}

static void args_options(void **state)
{
	struct isolab_error err = { 0 };
	struct bench_args a;

	assert_int_equal(parse(&a, &err, "run", "--suites", "startup,syscall", "--density-max", "4",
			       "--results", "/tmp/r", "--vm-mem", "64M", "--systems", "native,runc",
			       "--env", "lab", "--timeout", "30", NULL), 0);
	assert_int_equal(a.suites, BENCH_SUITE_STARTUP | BENCH_SUITE_SYSCALL);
	assert_int_equal(a.density_max, 4);
	assert_string_equal(a.results_dir, "/tmp/r");
	assert_int_equal(a.vm_mem, 64ull << 20);
	assert_true(bench_list_has(a.systems, "runc"));
	assert_false(bench_list_has(a.systems, "run"));
	assert_false(bench_list_has(a.systems, "crun"));
	assert_true(bench_list_has(NULL, "anything"));
	assert_int_equal(a.timeout_s, 30);
	assert_int_equal(parse(&a, &err, "report", "results/lab/x.json", "--plots", "/tmp/p",
			       "--out", "/tmp/R.md", NULL), 0);
	assert_int_equal(a.command, BENCH_CMD_REPORT);
	assert_string_equal(a.input, "results/lab/x.json");
	assert_string_equal(a.plots_dir, "/tmp/p");
	assert_string_equal(a.report_path, "/tmp/R.md");
	assert_int_equal(parse(&a, &err, "help", NULL), 0);
	assert_int_equal(a.command, BENCH_CMD_HELP);
}

static void args_rejects(void **state)
{
	struct isolab_error err = { 0 };
	struct bench_args a;

	assert_int_equal(parse(&a, &err, NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "fly", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "fly"));
	assert_int_equal(parse(&a, &err, "run", "--runs", "0", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "run", "--runs", "x", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "run", "--runs", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "missing value"));
	assert_int_equal(parse(&a, &err, "run", "--suites", "startup,disk", NULL), -EINVAL);
	assert_string_equal(err.msg, "--suites `startup,disk`: unknown suite `disk` "
				     "(startup, memory, syscall, build, lifecycle, network, all)");
	assert_int_equal(parse(&a, &err, "run", "--env", "mars", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "run", "--vm-mem", "1M", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "run", "--plots", "x", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "run", "stray", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "report", "--runs", "3", NULL), -EINVAL);
}

/* ---- the build suite: a builder's output ---- */

static const char isolab_cached[] =
	"Sending build context: 334 bytes in 3 files\n"
	"Step 1/4 : FROM bench:1\n"
	" ---> dcacd4808505\n"
	"Step 2/4 : ENV A=1\n"
	" ---> CACHED\n"
	"Step 3/4 : COPY greeting.txt ./\n"
	" ---> CACHED\n"
	"Step 4/4 : RUN sh bin/script.sh > said.txt\n"
	" ---> CACHED\n"
	"Successfully tagged bench-build:1\n";

static void build_output_isolab(void **state)
{
	struct isolab_error err = { 0 };
	struct bench_build_steps s;
	char *changed = strdup(isolab_cached), *p;

	bench_build_steps(isolab_cached, "Step ", " ---> CACHED", &s);
	assert_int_equal(s.steps, 4);
	assert_int_equal(s.total, 4);
	assert_int_equal(s.from_steps, 1);
	assert_int_equal(s.cached, 3);
	assert_int_equal(s.uncached, 0);
	assert_int_equal(bench_build_all_cached(isolab_cached, "Step ", " ---> CACHED", &err), 0);
	/* the COPY rebuilt (a changed file): named, and the RUN after it counted too */
	p = strstr(changed, " ---> CACHED\nStep 4/4");
	assert_non_null(p);
	memcpy(p, " ---> layer ", 12);
	p = strstr(changed, "Step 4/4");
	p = strstr(p, " ---> CACHED");
	memcpy(p, " ---> layer ", 12);
	bench_build_steps(changed, "Step ", " ---> CACHED", &s);
	assert_int_equal(s.cached, 1);
	assert_int_equal(s.uncached, 2);
	assert_int_equal(s.first_uncached, 3);
	assert_string_equal(s.first_uncached_text, "COPY greeting.txt ./");
	assert_int_equal(bench_build_all_cached(changed, "Step ", " ---> CACHED", &err), -EIO);
	assert_string_equal(err.msg, "step 3/4 `COPY greeting.txt ./` was not cached (2 of 4 steps were not)");
	free(changed);
}

static void build_output_buildah(void **state)
{
	static const char cached[] =
		"STEP 1/3: FROM bench:1\r\n"
		"STEP 2/3: WORKDIR /app\r\n"
		"--> Using cache d2ed93c9e142b660d9ce9062443708302ae219d2d58f8a2c43a17a83723a6c31\r\n"
		"--> d2ed93c9e14\r\n"
		"STEP 3/3: CMD [\"/bin/sh\"]\n"
		"--> Using cache 71d9bcc042c7643affaa8c3c0b4e576999108245d961dec57616837680aec4b8\n"
		"COMMIT bench-build:1\n";
	static const char fresh[] =
		"STEP 1/3: FROM bench:1\n"
		"STEP 2/3: WORKDIR /app\n"
		"--> d2ed93c9e14\n"
		"STEP 3/3: CMD [\"/bin/sh\"]\n"
		"COMMIT bench-build:1\n";
	struct isolab_error err = { 0 };
	struct bench_build_steps s;

	assert_int_equal(bench_build_all_cached(cached, "STEP ", "--> Using cache", &err), 0);
	bench_build_steps(fresh, "STEP ", "--> Using cache", &s);
	assert_int_equal(s.steps, 3);
	assert_int_equal(s.uncached, 2);
	assert_int_equal(bench_build_all_cached(fresh, "STEP ", "--> Using cache", &err), -EIO);
	assert_string_equal(err.msg, "step 2/3 `WORKDIR /app` was not cached (2 of 3 steps were not)");
	/* the other builder's marker or step lines are not taken for these */
	assert_int_equal(bench_build_all_cached(isolab_cached, "STEP ", "--> Using cache", &err), -EIO);
	assert_string_equal(err.msg, "no `STEP N/M` step line in the output");
	assert_int_equal(bench_build_all_cached(cached, "STEP ", " ---> CACHED", &err), -EIO);
}

static void build_output_cut_short(void **state)
{
	static const char half[] =
		"Step 1/10 : FROM bench:1\n"
		"Step 2/10 : LABEL a=b\n"
		" ---> CACHED\n";
	struct isolab_error err = { 0 };

	/* every step seen was cached, but the build stopped at 2 of 10 */
	assert_int_equal(bench_build_all_cached(half, "Step ", " ---> CACHED", &err), -EIO);
	assert_string_equal(err.msg, "2 step lines for a build of 10 steps");
	assert_int_equal(bench_build_all_cached("", "Step ", " ---> CACHED", &err), -EIO);
	assert_int_equal(bench_build_all_cached(NULL, "Step ", " ---> CACHED", &err), -EIO);
	/* a marker before any step, and lines that only look like steps, count for nothing */
	assert_int_equal(bench_build_all_cached(" ---> CACHED\nStep x/2\nStep 3/2 : RUN\nStep 1/1 : RUN a\n",
						"Step ", " ---> CACHED", &err), -EIO);
	assert_string_equal(err.msg, "step 1/1 `RUN a` was not cached (1 of 1 steps were not)");
}

/* ---- /proc and cgroup parsers ---- */

static void memstat_parsers(void **state)
{
	char path[256];
	const char *hybrid = "12:pids:/user.slice\n9:cpu,memory:/user.slice/x\n0::/user.slice/u\n";
	const char *v2 = "0::/isolab/c1\n";
	const char *status = "Name:\tprobe\nVmPeak:\t  1000 kB\nVmRSS:\t     724 kB\nThreads: 1\n";
	const char *meminfo = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   20000000 kB\n";

	assert_int_equal(bench_parse_memory_cgroup(hybrid, path, sizeof(path)), BENCH_CGROUP_V1);
	assert_string_equal(path, "/user.slice/x");
	assert_int_equal(bench_parse_memory_cgroup(v2, path, sizeof(path)), BENCH_CGROUP_V2);
	assert_string_equal(path, "/isolab/c1");
	assert_int_equal(bench_parse_memory_cgroup("5:cpu:/a\n", path, sizeof(path)), -ENOENT);
	assert_int_equal(bench_parse_status_rss(status), 724 * 1024);
	assert_int_equal(bench_parse_status_rss("Name: x\n"), -1);
	assert_int_equal(bench_parse_meminfo(meminfo, "MemAvailable"), 20000000ll * 1024);
	assert_int_equal(bench_parse_meminfo(meminfo, "MemFree"), 100 * 1024);
	assert_int_equal(bench_parse_meminfo(meminfo, "Mem"), -1);
	assert_int_equal(bench_parse_stat_ppid("42 (a) b) c) S 7 42 42 0"), 7);
	assert_int_equal(bench_parse_stat_ppid("garbage"), -1);
}

/* ---- report formatting ---- */

static void format_numbers(void **state)
{
	char b[32];

	bench_format_ns(850, b, sizeof(b));
	assert_string_equal(b, "850 ns");
	bench_format_ns(1234, b, sizeof(b));
	assert_string_equal(b, "1.23 us");
	bench_format_ns(123456, b, sizeof(b));
	assert_string_equal(b, "123.5 us");
	bench_format_ns(1.234e6, b, sizeof(b));
	assert_string_equal(b, "1.23 ms");
	bench_format_ns(2.5e9, b, sizeof(b));
	assert_string_equal(b, "2.50 s");
	bench_format_ns(-1, b, sizeof(b));
	assert_string_equal(b, "-");
	bench_format_bytes(512, b, sizeof(b));
	assert_string_equal(b, "512 B");
	bench_format_bytes(1536, b, sizeof(b));
	assert_string_equal(b, "1.5 KiB");
	bench_format_bytes(3.25 * 1024 * 1024, b, sizeof(b));
	assert_string_equal(b, "3.2 MiB");
	bench_format_bytes(2.0 * 1024 * 1024 * 1024, b, sizeof(b));
	assert_string_equal(b, "2.0 GiB");
	bench_format_ratio(1.234, b, sizeof(b));
	assert_string_equal(b, "1.23x");
	bench_format_ratio(0.0346, b, sizeof(b));
	assert_string_equal(b, "0.035x");
	bench_format_ratio(0.25, b, sizeof(b));
	assert_string_equal(b, "0.25x");
	bench_format_ratio(37.81, b, sizeof(b));
	assert_string_equal(b, "37.8x");
	bench_format_ratio(0, b, sizeof(b));
	assert_string_equal(b, "-");
}

static void format_with_intervals(void **state)
{
	const struct bench_interval ms = { 1.1e6, 1.31e6 }, us = { 11e3, 14.05e3 }, r = { 0.19, 0.243 };
	const struct bench_interval small = { 0.0291, 0.04 };
	char b[64];

	/* the interval in the median's unit and precision */
	bench_format_ns_ci(1.234e6, &ms, b, sizeof(b));
	assert_string_equal(b, "1.23 ms [1.10, 1.31]");
	bench_format_ns_ci(12345, &us, b, sizeof(b));
	assert_string_equal(b, "12.3 us [11.0, 14.1]");
	bench_format_ns_ci(1.234e6, NULL, b, sizeof(b));
	assert_string_equal(b, "1.23 ms");
	bench_format_ns_ci(-1, &ms, b, sizeof(b));
	assert_string_equal(b, "-");
	bench_format_ratio_ci(0.21, &r, b, sizeof(b));
	assert_string_equal(b, "0.21x [0.19, 0.24]");
	bench_format_ratio_ci(0.0346, &small, b, sizeof(b));
	assert_string_equal(b, "0.035x [0.029, 0.040]");
	bench_format_ratio_ci(0.21, NULL, b, sizeof(b));
	assert_string_equal(b, "0.21x");
	bench_format_ratio_ci(0, &r, b, sizeof(b));
	assert_string_equal(b, "-");
}

static void markdown_table(void **state)
{
	static const char *const head[] = { "system", "median" };
	static const char *const row[] = { "a|b", "1 ms" };
	struct bench_text t = { 0 };

	bench_table_header(&t, head, 2);
	bench_table_row(&t, row, 2);
	assert_string_equal(t.s, "| system | median |\n| --- | ---: |\n| a\\|b | 1 ms |\n");
	bench_text_free(&t);
}

static void report_markdown_sections(void **state)
{
	cJSON *doc = sample_doc();
	char *md = bench_report_markdown(doc, "results/lab/x.json", "plots");

	assert_non_null(md);
	assert_non_null(strstr(md, "# isolab benchmark report"));
	assert_non_null(strstr(md, "Measured inside the nested-KVM lab"));
	assert_non_null(strstr(md, "| native | process | 3 | 2.00 ms [1.00, 3.00] | 1.10 ms | 2.90 ms | 3.00 ms [2.00, 4.00] | 2.10 ms | 3.90 ms | 0 |"));
	assert_non_null(strstr(md, "- crun: cgroups in hybrid mode | not supported"));
	assert_non_null(strstr(md, "![start-up per system](plots/startup.png)"));
	assert_non_null(strstr(md, "| git_commit | abc123 |"));
	free(md);
	/* not from the lab: no caveat */
	cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(doc, "environment"), "kvm",
				  cJSON_CreateString("native"));
	md = bench_report_markdown(doc, "x.json", "plots");
	assert_null(strstr(md, "nested-KVM lab"));
	free(md);
	cJSON_Delete(doc);
}

/* The build section: medians, the first build, failures, the ratio; unavailable builders. */
static void report_markdown_build(void **state)
{
	const double fast[] = { 40e6, 60e6, 50e6 }, slow[] = { 2e9, 2.5e9, 3e9 };
	cJSON *doc = sample_doc(), *suite, *sys, *e, *r;
	struct isolab_error err = { 0 };
	char *md;

	suite = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(doc, "suites"), "build");
	cJSON_AddNumberToObject(suite, "runs", 3);
	cJSON_AddStringToObject(suite, "context", "bench/build");
	cJSON_AddStringToObject(suite, "rebuild", "ns to exit");
	/* a build suite without its list is not a results document */
	assert_int_equal(bench_results_check(doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "build"));
	sys = cJSON_AddArrayToObject(suite, "systems");
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "isolab-build");
	cJSON_AddBoolToObject(e, "available", 1);
	cJSON_AddItemToObject(e, "first_build", bench_summary_json((const double[]){ 200e6 }, 1, "ns"));
	cJSON_AddNumberToObject(e, "failures", 1);
	cJSON_AddStringToObject(e, "last_error", "step 7/10 `RUN x` was not cached");
	cJSON_AddItemToObject(e, "rebuild", bench_summary_json(fast, 3, "ns"));
	cJSON_AddItemToArray(sys, e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "buildah");
	cJSON_AddBoolToObject(e, "available", 1);
	cJSON_AddItemToObject(e, "first_build", bench_summary_json((const double[]){ 6e9 }, 1, "ns"));
	cJSON_AddNumberToObject(e, "failures", 0);
	cJSON_AddItemToObject(e, "rebuild", bench_summary_json(slow, 3, "ns"));
	cJSON_AddItemToArray(sys, e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "docker");
	cJSON_AddBoolToObject(e, "available", 0);
	cJSON_AddStringToObject(e, "note", "`docker` is not installed here");
	cJSON_AddItemToArray(sys, e);
	{
		static const char *const pairs[][2] = { { "isolab-build", "buildah" },
							{ "isolab-build", "docker" },
							{ "nobody", "buildah" } };
		static const char *const keys[] = { "rebuild", "first_build", "absent" };

		/* one ratio: docker has no samples, nobody is not listed */
		r = bench_ratios_json(sys, pairs, 3, keys, 3);
		assert_int_equal(cJSON_GetArraySize(r), 1);
		assert_string_equal(bench_json_string(cJSON_GetArrayItem(r, 0), "name", ""),
				    "isolab-build/buildah");
		assert_double_equal(bench_json_number(cJSON_GetArrayItem(r, 0), "rebuild", -1), 0.02, EPS);
		assert_double_equal(bench_json_number(cJSON_GetArrayItem(r, 0), "first_build", -1),
				    200e6 / 6e9, EPS);
		assert_double_equal(bench_json_number(cJSON_GetArrayItem(r, 0), "absent", -1), 0, EPS);
		cJSON_AddItemToObject(suite, "ratios", r);
	}
	assert_int_equal(bench_results_check(doc, &err), 0);
	md = bench_report_markdown(doc, "x.json", "plots");
	assert_non_null(md);
	assert_non_null(strstr(md, "## Build: cached rebuild\n\n3 rebuilds per builder of `bench/build/Dockerfile`"));
	assert_non_null(strstr(md, "| isolab-build | 3 | 50.00 ms [40.00, 60.00] | 41.00 ms | 59.00 ms | 200.00 ms | 1 |"));
	assert_non_null(strstr(md, "| buildah | 3 | 2.50 s [2.00, 3.00] | 2.05 s | 2.95 s | 6.00 s | 0 |"));
	assert_non_null(strstr(md, "- docker: `docker` is not installed here"));
	assert_non_null(strstr(md, "- isolab-build: 1 rebuild(s) failed; the last: step 7/10 `RUN x` was not cached"));
	assert_non_null(strstr(md, "| isolab-build/buildah | 0.020x [0.013, 0.030] | 0.033x |"));
	assert_non_null(strstr(md, "![cached rebuild per builder](plots/build.png)"));
	/* the build section follows the others */
	assert_true(strstr(md, "## Build") > strstr(md, "## Start-up"));
	free(md);
	cJSON_Delete(doc);
}

/* A syscall entry with one op measured in three runs (run medians m0..m2). */
static cJSON *syscall_entry(const char *name, double m0, double m1, double m2)
{
	const double medians[] = { m0, m1, m2 };
	cJSON *e = cJSON_CreateObject(), *op, *rm = bench_summary_json(medians, 3, "ns");

	cJSON_AddStringToObject(e, "name", name);
	cJSON_AddBoolToObject(e, "available", 1);
	cJSON_AddNumberToObject(e, "failures", 0);
	cJSON_AddNumberToObject(e, "warmup", 1);
	op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "name", "getpid");
	cJSON_AddNumberToObject(op, "median", bench_json_number(rm, "median", 0));
	cJSON_AddItemToObject(op, "ci95", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rm, "ci95"), 1));
	cJSON_AddItemToObject(op, "run_medians", rm);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "ops"), op);
	return e;
}

static void report_markdown_syscall_rounds_and_intervals(void **state)
{
	cJSON *doc = sample_doc(), *suite, *sys, *r, *order;
	struct bench_interval ci;
	char *md;

	suite = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(doc, "suites"), "syscall");
	cJSON_AddNumberToObject(suite, "samples", 7);
	cJSON_AddNumberToObject(suite, "rounds", 3);
	cJSON_AddNumberToObject(suite, "seed", 42);
	cJSON_AddStringToObject(suite, "seed_from", "option");
	order = cJSON_Parse("[[\"native\", \"isolab-vmm\"], [\"isolab-vmm\", \"native\"], "
			    "[\"native\", \"isolab-vmm\"]]");
	cJSON_AddItemToObject(suite, "order", order);
	sys = cJSON_AddArrayToObject(suite, "systems");
	cJSON_AddItemToArray(sys, syscall_entry("native", 100, 110, 120));
	cJSON_AddItemToArray(sys, syscall_entry("isolab-vmm", 200, 220, 240));
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "system", "isolab-vmm");
	cJSON_AddStringToObject(r, "op", "getpid");
	cJSON_AddNumberToObject(r, "ratio", 2);
	ci.lo = 1.67;
	ci.hi = 2.4;
	bench_add_ci95(r, "ci95", &ci);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(suite, "ratios"), r);
	md = bench_report_markdown(doc, "x.json", "plots");
	assert_non_null(md);
	assert_non_null(strstr(md, "## System calls and operations\n"));
	/* medians with their interval, the ratio to native with its own */
	assert_non_null(strstr(md, "| operation | native | isolab-vmm |"));
	assert_non_null(strstr(md, "| getpid | 110 ns [100, 120] | 220 ns [200, 240] (2.00x [1.67, 2.40]) |"));
	assert_non_null(strstr(md, "In brackets: the 95% confidence interval, a percentile bootstrap over the runs' medians"));
	assert_non_null(strstr(md, "B = 2000 resamples, seed 0x15014b5eed"));
	/* the rounds, their orders and the warm-ups */
	assert_non_null(strstr(md, "Order: the probe runs in 3 interleaved rounds, shuffled each round "
				   "(seed 42, given with --seed): round 1: native, isolab-vmm; round 2: "
				   "isolab-vmm, native; round 3: native, isolab-vmm. Warm-up runs, "
				   "discarded: native 1, isolab-vmm 1.\n"));
	free(md);
	cJSON_Delete(doc);
}

/* ---- the lifecycle suite ---- */

/* A runtime's `spec` output, trimmed: the bundle gets our process and rootfs. */
static void oci_config_from_spec(void **state)
{
	static const char *const argv[] = { "/bin/true", NULL };
	struct isolab_error err = { 0 };
	cJSON *doc = cJSON_Parse("{\"ociVersion\": \"1.0.2\", \"process\": {\"terminal\": true, "
				 "\"args\": [\"sh\"], \"cwd\": \"/\"}, \"root\": {\"path\": "
				 "\"rootfs\", \"readonly\": false}, \"hostname\": \"runc\"}");
	const cJSON *process, *root, *args;

	assert_non_null(doc);
	assert_int_equal(bench_oci_config_apply(doc, "/img/rootfs", argv, &err), 0);
	process = cJSON_GetObjectItemCaseSensitive(doc, "process");
	root = cJSON_GetObjectItemCaseSensitive(doc, "root");
	args = cJSON_GetObjectItemCaseSensitive(process, "args");
	assert_int_equal(cJSON_GetArraySize(args), 1);
	assert_string_equal(cJSON_GetArrayItem(args, 0)->valuestring, "/bin/true");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(process, "terminal")));
	assert_string_equal(bench_json_string(process, "cwd", ""), "/");
	assert_string_equal(bench_json_string(root, "path", ""), "/img/rootfs");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "readonly")));
	assert_string_equal(bench_json_string(doc, "hostname", ""), "runc");
	cJSON_Delete(doc);

	/* keys the spec left out are added; several arguments keep their order */
	{
		static const char *const probe[] = { "/bin/probe", "start", NULL };

		doc = cJSON_Parse("{\"process\": {}, \"root\": {}}");
		assert_int_equal(bench_oci_config_apply(doc, "/r", probe, &err), 0);
		args = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "process"),
							"args");
		assert_int_equal(cJSON_GetArraySize(args), 2);
		assert_string_equal(cJSON_GetArrayItem(args, 1)->valuestring, "start");
		assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(doc, "root"), "readonly")));
		cJSON_Delete(doc);
	}

	doc = cJSON_Parse("{\"process\": {\"args\": [\"sh\"]}}");
	assert_int_equal(bench_oci_config_apply(doc, "/r", argv, &err), -EINVAL);
	assert_string_equal(err.msg, "config.json: no `process` or `root` object");
	cJSON_Delete(doc);
	doc = cJSON_Parse("{\"process\": {}, \"root\": {}}");
	assert_int_equal(bench_oci_config_apply(doc, "/r", (const char *const[]){ NULL }, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "config.json: no process arguments given");
	cJSON_Delete(doc);
}

static void lifecycle_phases_from_times(void **state)
{
	struct bench_lc_times t = { .create_spawn = 1000, .create_exit = 21000,
				    .start_spawn = 21500, .start_exit = 31500, .stopped = 33500,
				    .delete_spawn = 34000, .delete_exit = 44000 };
	double ns[BENCH_LC_PHASES] = { -1, -1, -1, -1, -1 };

	assert_int_equal(bench_lc_phases(&t, ns), 0);
	assert_double_equal(ns[BENCH_LC_CREATE], 20000, EPS);
	assert_double_equal(ns[BENCH_LC_START], 10000, EPS);
	assert_double_equal(ns[BENCH_LC_WAIT], 2000, EPS);
	assert_double_equal(ns[BENCH_LC_DELETE], 10000, EPS);
	/* the total is the wall time, the harness's gaps between commands included */
	assert_double_equal(ns[BENCH_LC_TOTAL], 43000, EPS);
	assert_string_equal(bench_lc_phase_names[BENCH_LC_CREATE], "create");
	assert_string_equal(bench_lc_phase_names[BENCH_LC_WAIT], "wait");
	assert_string_equal(bench_lc_phase_names[BENCH_LC_TOTAL], "total");

	/* the process seen exited the moment start returned: a wait of 0 */
	t.stopped = t.start_exit;
	assert_int_equal(bench_lc_phases(&t, ns), 0);
	assert_double_equal(ns[BENCH_LC_WAIT], 0, EPS);

	/* times out of order (a phase not run: 0) are refused, ns untouched */
	t.delete_spawn = 0;
	ns[BENCH_LC_DELETE] = -1;
	assert_int_equal(bench_lc_phases(&t, ns), -EINVAL);
	assert_double_equal(ns[BENCH_LC_DELETE], -1, EPS);
	t.delete_spawn = 34000;
	t.start_spawn = 20999;
	assert_int_equal(bench_lc_phases(&t, ns), -EINVAL);
}

static void pid_file_text(void **state)
{
	pid_t pid = -1;

	assert_int_equal(bench_parse_pid("4242", &pid), 0);
	assert_int_equal(pid, 4242);
	assert_int_equal(bench_parse_pid("17\n", &pid), 0);
	assert_int_equal(pid, 17);
	pid = 5;
	assert_int_equal(bench_parse_pid("", &pid), -EINVAL);
	assert_int_equal(bench_parse_pid(NULL, &pid), -EINVAL);
	assert_int_equal(bench_parse_pid("0", &pid), -EINVAL);
	assert_int_equal(bench_parse_pid("-3", &pid), -EINVAL);
	assert_int_equal(bench_parse_pid(" 3", &pid), -EINVAL);
	assert_int_equal(bench_parse_pid("12a", &pid), -EINVAL);
	assert_int_equal(bench_parse_pid("12\n\n", &pid), -EINVAL);
	assert_int_equal(bench_parse_pid("99999999999", &pid), -EINVAL);
	assert_int_equal(pid, 5);
}

static cJSON *lifecycle_entry(const char *name, double scale, int failures)
{
	cJSON *e = cJSON_CreateObject();
	size_t k;

	cJSON_AddStringToObject(e, "name", name);
	cJSON_AddStringToObject(e, "kind", "container");
	cJSON_AddBoolToObject(e, "available", 1);
	cJSON_AddNumberToObject(e, "failures", failures);
	for (k = 0; k < BENCH_LC_PHASES; k++) {
		/* create 20, start 10, wait 1, delete 5, total 40 ms, times scale; p5/p95 +-10% */
		static const double ms[BENCH_LC_PHASES] = { 20, 10, 1, 5, 40 };
		const double v[] = { ms[k] * scale * 0.9e6, ms[k] * scale * 1e6, ms[k] * scale * 1.1e6 };

		cJSON_AddItemToObject(e, bench_lc_phase_names[k], bench_summary_json(v, 3, "ns"));
	}
	return e;
}

/* The lifecycle section: a table per phase, unavailable runtimes, the ratios against the targets. */
static void report_markdown_lifecycle(void **state)
{
	static const char *const pairs[][2] = { { "isolab-ctr", "crun" }, { "isolab-ctr", "runc" } };
	static const char *const keys[] = { "total", "create", "start", "wait", "delete" };
	cJSON *doc = sample_doc(), *suite, *sys, *e;
	struct isolab_error err = { 0 };
	char *md;

	suite = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(doc, "suites"), "lifecycle");
	cJSON_AddNumberToObject(suite, "runs", 3);
	cJSON_AddStringToObject(suite, "process", "/bin/true");
	cJSON_AddStringToObject(suite, "bundle_spec", "runc spec");
	cJSON_AddStringToObject(suite, "create", "create's spawn to exit");
	cJSON_AddStringToObject(suite, "total", "create's spawn to delete's exit");
	/* a lifecycle suite without its list is not a results document */
	assert_int_equal(bench_results_check(doc, &err), -EINVAL);
	assert_string_equal(err.msg, "results: lifecycle: missing or mistyped `systems`");
	sys = cJSON_AddArrayToObject(suite, "systems");
	cJSON_AddItemToArray(sys, lifecycle_entry("isolab-ctr", 1, 0));
	e = lifecycle_entry("runc", 5, 1);
	cJSON_AddStringToObject(e, "last_error", "runc delete: exit status 1: container is running");
	cJSON_AddItemToArray(sys, e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "crun");
	cJSON_AddBoolToObject(e, "available", 0);
	cJSON_AddStringToObject(e, "note", "trial run failed: crun create: exit status 1: cgroups in "
					   "hybrid mode not supported");
	cJSON_AddItemToArray(sys, e);
	/* crun has no samples: only isolab-ctr/runc */
	cJSON_AddItemToObject(suite, "ratios", bench_ratios_json(sys, pairs, 2, keys, 5));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(suite, "ratios")), 1);
	assert_int_equal(bench_results_check(doc, &err), 0);
	md = bench_report_markdown(doc, "x.json", "plots");
	assert_non_null(md);
	assert_non_null(strstr(md, "## OCI lifecycle: create, start, delete\n\n3 sequences per runtime"));
	assert_non_null(strstr(md, "running `/bin/true`"));
	assert_non_null(strstr(md, "*create*: create's spawn to exit.\n\n| runtime | runs | median [95% CI] | p5 | p95 | failures |"));
	assert_non_null(strstr(md, "| isolab-ctr | 3 | 20.00 ms [18.00, 22.00] | 18.20 ms | 21.80 ms | 0 |"));
	assert_non_null(strstr(md, "*total*: create's spawn to delete's exit."));
	assert_non_null(strstr(md, "| runc | 3 | 200.00 ms [180.00, 220.00] | 182.00 ms | 218.00 ms | 1 |"));
	assert_non_null(strstr(md, "- crun: trial run failed: crun create: exit status 1: cgroups in hybrid mode not supported"));
	assert_non_null(strstr(md, "- runc: 1 sequence(s) failed; the last: runc delete: exit status 1: container is running"));
	assert_non_null(strstr(md, "| isolab-ctr/crun | - | - | - | - | - | at most 0.50x | not measured |"));
	assert_non_null(strstr(md, "| isolab-ctr/runc | 0.20x [0.16, 0.24] | 0.20x [0.16, 0.24] | 0.20x [0.16, 0.24] | "
				  "0.20x [0.16, 0.24] | 0.20x [0.16, 0.24] | at most 0.25x | yes |"));
	assert_non_null(strstr(md, "![OCI lifecycle per phase](plots/lifecycle.png)"));
	free(md);

	/* a slower isolab-ctr misses the target */
	cJSON_ReplaceItemInArray(sys, 0, lifecycle_entry("isolab-ctr", 2, 0));
	cJSON_ReplaceItemInObject(suite, "ratios", bench_ratios_json(sys, pairs, 2, keys, 5));
	md = bench_report_markdown(doc, "x.json", "plots");
	assert_non_null(md);
	assert_non_null(strstr(md, "| isolab-ctr/runc | 0.40x [0.33, 0.49] | 0.40x [0.33, 0.49] | "
				   "0.40x [0.33, 0.49] | 0.40x [0.33, 0.49] | 0.40x [0.33, 0.49] | "
				   "at most 0.25x | no |"));
	/* the lifecycle section follows the others */
	assert_true(strstr(md, "## OCI lifecycle") > strstr(md, "## Start-up"));
	free(md);
	cJSON_Delete(doc);
}

/* ---- the density sweep (memstat.h) ---- */

/* The points of a sweep up to max, as bench_density_next walks them. */
static int density_points(unsigned max, unsigned *out, int cap)
{
	unsigned n;
	int k = 0;

	for (n = bench_density_next(0, max); n != 0 && k < cap; n = bench_density_next(n, max))
		out[k++] = n;
	return k;
}

static void density_point_sequence(void **state)
{
	static const unsigned containers[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000 };
	static const unsigned vms[] = { 1, 2, 4, 8, 16, 32, 64, 100 };
	unsigned got[32];
	int k, i;

	k = density_points(BENCH_DEFAULT_DENSITY_MAX, got, 32);
	assert_int_equal(k, 11);
	for (i = 0; i < k; i++)
		assert_int_equal(got[i], containers[i]);
	k = density_points(BENCH_DENSITY_MAX_VM, got, 32);
	assert_int_equal(k, 8);
	for (i = 0; i < k; i++)
		assert_int_equal(got[i], vms[i]);
	/* a power of two is its own last point, once */
	k = density_points(64, got, 32);
	assert_int_equal(k, 7);
	assert_int_equal(got[6], 64);
	/* small sweeps: --quick's 2, and 3 (1, 2, 3), 1, and 0 (none) */
	assert_int_equal(density_points(BENCH_QUICK_DENSITY_MAX, got, 32), 2);
	assert_int_equal(got[1], 2);
	assert_int_equal(density_points(3, got, 32), 3);
	assert_int_equal(got[2], 3);
	assert_int_equal(density_points(1, got, 32), 1);
	assert_int_equal(density_points(0, got, 32), 0);
	/* the largest sweep the options allow ends at its max */
	k = density_points(BENCH_MAX_DENSITY, got, 32);
	assert_int_equal(got[k - 1], BENCH_MAX_DENSITY);
	assert_int_equal(bench_density_next(1000, 1000), 0);
	assert_int_equal(bench_density_next(2000, 1000), 0);
}

static void density_stopping_rule(void **state)
{
	const long long mib = 1ll << 20, gib = 1ll << 30;

	/* the bound: 10% of MemTotal, at least 512 MiB */
	assert_int_equal(bench_density_safety_bound(24 * gib), 24 * gib / 100 * 10);
	assert_int_equal(bench_density_safety_bound(12 * gib), 12 * gib / 100 * 10);
	assert_int_equal(bench_density_safety_bound(4 * gib), 512 * mib);
	assert_int_equal(bench_density_safety_bound(-1), 512 * mib);
	/* one more instance fits while what is left stays at or above the bound */
	assert_true(bench_density_room(600 * mib, 88 * mib, 512 * mib));
	assert_false(bench_density_room(600 * mib, 88 * mib + 1, 512 * mib));
	assert_false(bench_density_room(511 * mib, 0, 512 * mib));
	/* an unknown estimate counts as nothing; an unreadable MemAvailable never fits */
	assert_true(bench_density_room(512 * mib, -1, 512 * mib));
	assert_false(bench_density_room(-1, 0, 512 * mib));
	/* the estimate: the larger of one instance alone and the last point's median */
	assert_int_equal(bench_density_estimate(700e3, 1.5e6), 1500000);
	assert_int_equal(bench_density_estimate(2e6, 1.5e6), 2000000);
	assert_int_equal(bench_density_estimate(-1, 1.5e6), 1500000);
	assert_int_equal(bench_density_estimate(-1, -1), 0);
	assert_int_equal(bench_density_estimate(-1, -5e6), 0); /* a drop that went up */
}

static void density_per_instance_stats(void **state)
{
	const long long before[] = { 10000, 10100, 9900 }, during[] = { 8000, 9000 };
	double v[6], small[5];
	struct bench_summary sum;
	int k;

	/* every pair (before, during): (before - during) / n, in that order */
	k = bench_density_per_instance(before, 3, during, 2, 10, v, 6);
	assert_int_equal(k, 6);
	assert_double_equal(v[0], 200, EPS);
	assert_double_equal(v[1], 100, EPS);
	assert_double_equal(v[2], 210, EPS);
	assert_double_equal(v[3], 110, EPS);
	assert_double_equal(v[4], 190, EPS);
	assert_double_equal(v[5], 90, EPS);
	assert_int_equal(bench_summarize(v, 6, NULL, &sum), 0);
	assert_double_equal(sum.median, 150, EPS);
	/* h = 5 * 0.05 = 0.25 -> 90 + 0.25 * (100 - 90); h = 4.75 -> 200 + 0.75 * 10 */
	assert_double_equal(sum.p5, 92.5, EPS);
	assert_double_equal(sum.p95, 207.5, EPS);
	/* MemAvailable that rose while held: a negative cost, kept (it is noise to see) */
	k = bench_density_per_instance(during, 1, before, 1, 4, v, 6);
	assert_int_equal(k, 1);
	assert_double_equal(v[0], -500, EPS);
	/* no instances, no readings, or too little room */
	assert_int_equal(bench_density_per_instance(before, 3, during, 2, 0, v, 6), -EINVAL);
	assert_int_equal(bench_density_per_instance(before, 0, during, 2, 1, v, 6), -EINVAL);
	assert_int_equal(bench_density_per_instance(before, 3, during, 0, 1, v, 6), -EINVAL);
	assert_int_equal(bench_density_per_instance(before, 3, during, 2, 1, small, 5), -EINVAL);
}

/* A density point as suite_memory.c writes it. */
static cJSON *density_point_json(unsigned n, const double *per, size_t nper, const double *next,
				 size_t nnext, double left)
{
	cJSON *p = cJSON_CreateObject();
	cJSON *sum = bench_summary_json(per, nper, "bytes");

	cJSON_AddNumberToObject(p, "instances", n);
	cJSON_AddBoolToObject(p, "ok", true);
	cJSON_AddNumberToObject(p, "mem_available_after", left);
	cJSON_AddNumberToObject(p, "mem_available_drop_bytes", bench_json_number(sum, "median", 0) * n);
	cJSON_AddNumberToObject(p, "per_instance_bytes", bench_json_number(sum, "median", 0));
	cJSON_AddItemToObject(p, "per_instance", sum);
	if (nnext > 0)
		cJSON_AddItemToObject(p, "next_start_ns", bench_summary_json(next, nnext, "ns"));
	cJSON_AddItemToObject(p, "per_instance_marginal", bench_summary_json(per, 1, "bytes"));
	return p;
}

static void report_markdown_density(void **state)
{
	static const double per1[] = { 1 << 20, 2 << 20, 3 << 20 }, per2[] = { 512 << 10 };
	static const double next[] = { 10e6, 12e6, 14e6 };
	cJSON *doc = sample_doc(), *suite, *sys, *e, *pts, *p;
	char *md;

	suite = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(doc, "suites"), "memory");
	cJSON_AddNumberToObject(suite, "density_max", 1000);
	cJSON_AddNumberToObject(suite, "density_max_vm", 100);
	cJSON_AddNumberToObject(suite, "readings_per_point", 5);
	cJSON_AddNumberToObject(suite, "next_start_samples", 3);
	cJSON_AddNumberToObject(suite, "harness_bytes_per_instance", 25272);
	cJSON_AddNumberToObject(suite, "mem_total_bytes", 4.0 * (1 << 30));
	cJSON_AddNumberToObject(suite, "safety_bound_bytes", 512.0 * (1 << 20));
	cJSON_AddStringToObject(suite, "safety_bound_rule", "max(512 MiB, 10% of MemTotal)");
	sys = cJSON_AddArrayToObject(suite, "systems");
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "isolab-ctr");
	cJSON_AddNumberToObject(e, "instance_bytes", 1.5 * (1 << 20));
	cJSON_AddNumberToObject(e, "mem_available_drop_bytes", -4096);
	cJSON_AddNumberToObject(e, "density_max", 1000);
	cJSON_AddStringToObject(e, "stopped", "safety bound");
	pts = cJSON_AddArrayToObject(e, "density");
	cJSON_AddItemToArray(pts, density_point_json(1, per1, 3, next, 3, 3.0 * (1 << 30)));
	p = density_point_json(700, per2, 1, NULL, 0, 600.0 * (1 << 20));
	cJSON_AddBoolToObject(p, "bound_reached", true);
	cJSON_AddItemToArray(pts, p);
	cJSON_AddItemToArray(sys, e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "isolab-vmm");
	cJSON_AddNumberToObject(e, "density_max", 100);
	cJSON_AddStringToObject(e, "stopped", "instance failed: instance 3 of 4: no `isolab-probe ready` line within 120 s");
	pts = cJSON_AddArrayToObject(e, "density");
	cJSON_AddItemToArray(pts, density_point_json(2, per1, 3, next, 3, 3.0 * (1 << 30)));
	p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "instances", 4);
	cJSON_AddBoolToObject(p, "ok", false);
	cJSON_AddStringToObject(p, "error", "instance failed: instance 3 of 4: no ready line");
	cJSON_AddItemToArray(pts, p);
	cJSON_AddItemToArray(sys, e);

	md = bench_report_markdown(doc, "x.json", "plots");
	assert_non_null(md);
	assert_non_null(strstr(md, "| isolab-ctr | 1.5 MiB | - | - | - | -4.0 KiB |"));
	assert_non_null(strstr(md, "### Density (up to 1000 instances at once; a VM up to 100)\n\n"
				   "| system | N | per instance: median (p5 to p95) | marginal: median (p5 to p95) | "
				   "MemAvailable drop | MemAvailable left | start of instance N + 1: median (p5 to p95) |"));
	assert_non_null(strstr(md, "| isolab-ctr | 1 | 2.0 MiB (1.1 MiB to 2.9 MiB) | 1.0 MiB | 2.0 MiB | 3.0 GiB | "
				   "12.00 ms (10.20 ms to 13.80 ms) |"));
	/* one reading: no spread; no next start (it did not fit) */
	assert_non_null(strstr(md, "| isolab-ctr | 700 (bound) | 512 KiB | 512 KiB | 350 MiB | 600 MiB | - |"));
	assert_non_null(strstr(md, "| isolab-vmm | 4 | failed | - | - | - | - |"));
	assert_non_null(strstr(md, "**Safety bound**: no instance is started that would leave MemAvailable "
				   "under 512 MiB (max(512 MiB, 10% of MemTotal); MemTotal 4.0 GiB)."));
	assert_non_null(strstr(md, "isolab-bench's own 25272 bytes of bookkeeping per held instance"));
	assert_non_null(strstr(md, "- isolab-ctr stopped at 700 instances (sweep up to 1000): safety bound\n"));
	assert_non_null(strstr(md, "- isolab-vmm stopped at 2 instances (sweep up to 100): instance failed: "
				   "instance 3 of 4: no `isolab-probe ready` line within 120 s\n"));
	assert_non_null(strstr(md, "![density: memory per instance and start of the next one](plots/density.png)"));
	free(md);
	cJSON_Delete(doc);
}

/* ---- merge: results files side by side (merge.h) ---- */

/* sample_doc as measured on env, with crun measured when crun_ms > 0, and a ratio. */
static cJSON *merge_doc(const char *env, double crun_ms, double ratio)
{
	cJSON *doc = sample_doc(), *st, *sys, *crun, *ratios, *r;
	const double c[] = { crun_ms * 1e6, crun_ms * 1e6, crun_ms * 1e6 };

	cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(doc, "environment"), "name",
				  cJSON_CreateString(env));
	st = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "suites"), "startup");
	sys = cJSON_GetObjectItemCaseSensitive(st, "systems");
	if (crun_ms > 0) {
		crun = cJSON_GetArrayItem(sys, 1);
		cJSON_ReplaceItemInObject(crun, "available", cJSON_CreateBool(1));
		cJSON_AddItemToObject(crun, "first_line", bench_summary_json(c, 3, "ns"));
		cJSON_AddItemToObject(crun, "exit", bench_summary_json(c, 3, "ns"));
	}
	ratios = cJSON_AddArrayToObject(st, "ratios");
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "name", "crun/native");
	cJSON_AddNumberToObject(r, "first_line", ratio);
	cJSON_AddNumberToObject(r, "exit", ratio);
	cJSON_AddItemToArray(ratios, r);
	return doc;
}

static void merge_two_hosts_side_by_side(void **state)
{
	cJSON *a = merge_doc("lab", 0, 0), *b = merge_doc("native-kvm", 50, 25.0);
	struct bench_merge_input in[2] = { { "results/lab/a.json", a }, { "results/native-kvm/b.json", b } };
	struct isolab_error err = { 0 };
	char *md;

	/* the lab could not run crun: its ratio is not there */
	cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "suites"), "startup"),
		"ratios"), 0);
	assert_int_equal(bench_merge_check(in, 2, &err), 0);
	md = bench_merge_markdown(in, 2, "plots-merged");
	assert_non_null(md);
	assert_non_null(strstr(md, "# isolab benchmark report: 2 results side by side"));
	assert_non_null(strstr(md, "**No ratio across hosts:** every ratio below was taken within one "
				   "results file (one host, one run); no figure of one column is ever "
				   "divided by a figure of another."));
	/* the hosts' table: one column per file */
	assert_non_null(strstr(md, "|  | lab | native-kvm |\n"));
	assert_non_null(strstr(md, "| environment | the lab (KVM nested in QEMU TCG) | native KVM |"));
	assert_non_null(strstr(md, "| file | `results/lab/a.json` | `results/native-kvm/b.json` |"));
	assert_non_null(strstr(md, "| run | complete | complete |"));
	/* medians with their intervals side by side */
	assert_non_null(strstr(md, "| system | lab: first line | lab: exit | native-kvm: first line | "
				   "native-kvm: exit |"));
	assert_non_null(strstr(md, "| native | 2.00 ms [1.00, 3.00] | 3.00 ms [2.00, 4.00] | "
				   "2.00 ms [1.00, 3.00] | 3.00 ms [2.00, 4.00] |"));
	assert_non_null(strstr(md, "| crun | unavailable | unavailable | 50.00 ms [50.00, 50.00] | "
				   "50.00 ms [50.00, 50.00] |"));
	assert_non_null(strstr(md, "- lab: not measured: crun (cgroups in hybrid mode | not supported)"));
	/* each host's own ratio, never one across them (50 ms / 2 ms = 25x is the file's own) */
	assert_non_null(strstr(md, "| ratio | lab | native-kvm |"));
	assert_non_null(strstr(md, "| crun/native | not measured | 25.0x |"));
	assert_null(strstr(md, "lab/native-kvm"));
	assert_non_null(strstr(md, "![start-up per system and host](plots-merged/merge_startup.png)"));
	/* neither ran another suite */
	assert_null(strstr(md, "## Memory"));
	free(md);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void merge_suite_only_one_host_has(void **state)
{
	cJSON *a = merge_doc("lab", 0, 0), *b = merge_doc("lab", 0, 0), *lc, *sys, *e;
	const double total[] = { 40e6, 50e6, 60e6 };
	struct bench_merge_input in[2] = { { "a.json", a }, { "b.json", b } };
	cJSON *progress;
	char label[64];
	char *md;

	lc = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(b, "suites"), "lifecycle");
	sys = cJSON_AddArrayToObject(lc, "systems");
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "isolab-ctr");
	cJSON_AddItemToObject(e, "total", bench_summary_json(total, 3, "ns"));
	cJSON_AddItemToArray(sys, e);
	/* b's run stopped before its end */
	progress = cJSON_AddObjectToObject(b, "progress");
	cJSON_AddBoolToObject(progress, "complete", 0);
	/* two files of one environment: numbered; the incomplete one marked */
	bench_merge_label(in, 2, 0, label, sizeof(label));
	assert_string_equal(label, "lab #1");
	bench_merge_label(in, 2, 1, label, sizeof(label));
	assert_string_equal(label, "lab #2 ‡");
	md = bench_merge_markdown(in, 2, "p");
	assert_non_null(md);
	assert_non_null(strstr(md, "| run | complete | **incomplete** ‡ |"));
	assert_non_null(strstr(md, "‡ An incomplete run:"));
	assert_non_null(strstr(md, "## OCI lifecycle"));
	assert_non_null(strstr(md, "| runtime | lab #2 ‡: create + start + delete |\n"));
	assert_non_null(strstr(md, "| isolab-ctr | 50.00 ms [40.00, 60.00] |"));
	assert_non_null(strstr(md, "Not in this suite: lab #1 (its run did not have it)."));
	free(md);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void merge_refuses_what_is_not_results(void **state)
{
	cJSON *good = sample_doc(), *bad = cJSON_Parse("{\"suites\": {}}"), *other = sample_doc();
	cJSON *broken = sample_doc();
	struct bench_merge_input in[2] = { { "good.json", good }, { "bad.json", bad } };
	struct isolab_error err = { 0 };

	assert_int_equal(bench_merge_check(in, 2, &err), -EINVAL);
	assert_string_equal(err.msg, "merge: `bad.json`: not an isolab-bench results file (no `format`)");
	cJSON_ReplaceItemInObject(other, "format", cJSON_CreateString("isolab-bench/2"));
	in[1].name = "other.json";
	in[1].doc = other;
	assert_int_equal(bench_merge_check(in, 2, &err), -EINVAL);
	assert_string_equal(err.msg, "merge: `other.json`: format `isolab-bench/2`, not `isolab-bench/1`");
	cJSON_DeleteItemFromObject(cJSON_GetObjectItemCaseSensitive(broken, "environment"), "cpu");
	in[1].name = "broken.json";
	in[1].doc = broken;
	assert_int_equal(bench_merge_check(in, 2, &err), -EINVAL);
	assert_string_equal(err.msg, "merge: `broken.json`: results: environment: missing or mistyped `cpu`");
	cJSON_Delete(good);
	cJSON_Delete(bad);
	cJSON_Delete(other);
	cJSON_Delete(broken);
}

static void merge_and_style_arguments(void **state)
{
	struct isolab_error err = { 0 };
	struct bench_args a;

	assert_int_equal(parse(&a, &err, "merge", "a.json", "--style", "slides", "b.json", "--out",
			       "/tmp/M.md", NULL), 0);
	assert_int_equal(a.command, BENCH_CMD_MERGE);
	assert_int_equal(a.merge_count, 2);
	assert_string_equal(a.merge_files[0], "a.json");
	assert_string_equal(a.merge_files[1], "b.json");
	assert_int_equal(a.style, BENCH_STYLE_SLIDES);
	assert_string_equal(a.report_path, "/tmp/M.md");
	assert_int_equal(parse(&a, &err, "report", NULL), 0);
	assert_int_equal(a.style, BENCH_STYLE_PAPER);
	assert_int_equal(parse(&a, &err, "report", "--style", "paper", NULL), 0);
	assert_int_equal(a.style, BENCH_STYLE_PAPER);
	assert_int_equal(parse(&a, &err, "merge", "a.json", NULL), -EINVAL);
	assert_string_equal(err.msg, "merge: at least two results files to put side by side (got 1)");
	assert_int_equal(parse(&a, &err, "merge", "a.json", "b.json", "a.json", NULL), -EINVAL);
	assert_string_equal(err.msg, "merge: `a.json` is named twice");
	assert_int_equal(parse(&a, &err, "report", "--style", "poster", NULL), -EINVAL);
	assert_string_equal(err.msg, "--style `poster`: paper or slides");
	assert_int_equal(parse(&a, &err, "run", "--style", "slides", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "merj", NULL), -EINVAL);
	assert_string_equal(err.msg, "unknown command `merj` (did you mean `merge`?)");
}

static void not_measured_line_groups_reasons(void **state)
{
	cJSON *systems = cJSON_Parse(
		"[{\"name\": \"native\", \"first_line\": {\"n\": 3}},"
		" {\"name\": \"isolab-vmm\", \"available\": false, \"note\": \"no usable /dev/kvm here (run in the lab: make bench)\"},"
		" {\"name\": \"crun\", \"available\": false, \"note\": \"trial run failed: crun: ended\"},"
		" {\"name\": \"qemu-microvm\", \"available\": false, \"note\": \"no usable /dev/kvm here (run in the lab)\"},"
		" {\"name\": \"runc\", \"available\": true, \"first_line\": {\"n\": 0}, \"last_error\": \"runc: exit status 1\"}]");
	cJSON *all = cJSON_Parse("[{\"name\": \"native\", \"ops\": [{\"name\": \"getpid\"}]}]");
	char buf[512];

	bench_format_not_measured(systems, "first_line", buf, sizeof(buf));
	assert_string_equal(buf, "not measured: isolab-vmm, qemu-microvm (no usable /dev/kvm here); "
				 "crun (trial run failed); runc (failed)");
	/* a list key: measured when not empty */
	bench_format_not_measured(all, "ops", buf, sizeof(buf));
	assert_string_equal(buf, "");
	cJSON_Delete(systems);
	cJSON_Delete(all);
}

/* ---- the network suite (netstats.h, report_md.c's network section) ---- */

/* 1..100 us: the p99 interpolates between the 99th and 100th (type 7). */
static void net_rr_summary_has_p99(void **state)
{
	double rtt[100];
	cJSON *s;
	size_t i;

	(void)state;
	for (i = 0; i < 100; i++)
		rtt[99 - i] = (double)(i + 1) * 1000.0; /* unsorted on purpose */
	s = bench_net_rr_json(rtt, 100);
	assert_non_null(s);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(s, "unit")->valuestring, "ns");
	assert_int_equal((int)bench_json_number(s, "n", 0), 100);
	assert_true(fabs(bench_json_number(s, "median", 0) - 50500.0) < 1e-6);
	/* h = 99 * 0.99 = 98.01: 99000 + 0.01 * 1000 */
	assert_true(fabs(bench_json_number(s, "p99", 0) - 99010.0) < 1e-6);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(s, "ci95"));
	assert_int_equal(rtt[0], 100000.0); /* the input is not reordered */
	cJSON_Delete(s);
	/* one sample is its own p99; none gives no p99 */
	s = bench_net_rr_json(rtt, 1);
	assert_true(fabs(bench_json_number(s, "p99", 0) - 100000.0) < 1e-6);
	cJSON_Delete(s);
	s = bench_net_rr_json(rtt, 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(s, "p99"));
	cJSON_Delete(s);
}

/* A network entry: n round trips around rr_us, one stream figure per run. */
static cJSON *net_entry(const char *name, double rr_us, double p99_scale, double gbytes)
{
	double rtt[50], st[3] = { gbytes * 0.9e9, gbytes * 1e9, gbytes * 1.1e9 };
	cJSON *e = cJSON_CreateObject();
	size_t i;

	cJSON_AddStringToObject(e, "name", name);
	cJSON_AddBoolToObject(e, "available", 1);
	cJSON_AddStringToObject(e, "note", "");
	cJSON_AddNumberToObject(e, "failures", 0);
	for (i = 0; i < 50; i++)
		rtt[i] = rr_us * 1000.0 * (i == 49 ? p99_scale : 1.0 + (double)(i % 5) * 0.01);
	cJSON_AddItemToObject(e, "rr", bench_net_rr_json(rtt, 50));
	cJSON_AddItemToObject(e, "stream", bench_summary_json(st, 3, "bytes/s"));
	return e;
}

static void net_ratios_to_native(void **state)
{
	cJSON *systems = cJSON_CreateArray(), *ratios, *r, *off;
	struct bench_interval ci;

	(void)state;
	/* no native: no ratio */
	cJSON_AddItemToArray(systems, net_entry("isolab-image-bridge", 40, 1, 1.0));
	ratios = bench_net_ratios(systems);
	assert_int_equal(cJSON_GetArraySize(ratios), 0);
	cJSON_Delete(ratios);
	cJSON_AddItemToArray(systems, net_entry("native", 20, 1, 2.0));
	off = cJSON_CreateObject(); /* not measured: no figures, no ratio */
	cJSON_AddStringToObject(off, "name", "isolab-vmm-net");
	cJSON_AddBoolToObject(off, "available", 0);
	cJSON_AddItemToArray(systems, off);
	ratios = bench_net_ratios(systems);
	assert_int_equal(cJSON_GetArraySize(ratios), 1);
	r = cJSON_GetArrayItem(ratios, 0);
	assert_string_equal(bench_json_string(r, "name", ""), "isolab-image-bridge/native");
	assert_true(fabs(bench_json_number(r, "rr", 0) - 2.0) < 1e-9);
	assert_true(fabs(bench_json_number(r, "stream", 0) - 0.5) < 1e-9);
	assert_true(bench_json_number(r, "rr_p99", 0) > 1.9 && bench_json_number(r, "rr_p99", 0) < 2.1);
	assert_int_equal(bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(r, "ci95"), "rr"), &ci), 0);
	assert_true(ci.lo <= 2.0 && 2.0 <= ci.hi);
	assert_int_equal(bench_ci95_from_json(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(r, "ci95"), "stream"), &ci), 0);
	assert_true(ci.lo <= 0.5 && 0.5 <= ci.hi);
	cJSON_Delete(ratios);
	cJSON_Delete(systems);
}

static void net_report_section(void **state)
{
	cJSON *doc = sample_doc(), *suite, *sys, *off;
	char *md;

	(void)state;
	suite = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(doc, "suites"), "network");
	cJSON_AddNumberToObject(suite, "runs", 3);
	cJSON_AddNumberToObject(suite, "round_trips_per_run", 667);
	cJSON_AddNumberToObject(suite, "stream_ms_per_run", 333);
	cJSON_AddStringToObject(suite, "rr", "1-byte ping-pong");
	cJSON_AddStringToObject(suite, "stream", "a TCP stream");
	sys = cJSON_AddArrayToObject(suite, "systems");
	cJSON_AddItemToArray(sys, net_entry("native", 20, 1, 2.0));
	cJSON_AddItemToArray(sys, net_entry("isolab-image-port", 40, 1, 1.0));
	off = cJSON_CreateObject();
	cJSON_AddStringToObject(off, "name", "isolab-vmm-net");
	cJSON_AddBoolToObject(off, "available", 0);
	cJSON_AddStringToObject(off, "note", "no usable /dev/kvm here (run in the lab: make bench)");
	cJSON_AddItemToArray(sys, off);
	cJSON_AddItemToObject(suite, "ratios", bench_net_ratios(sys));
	md = bench_report_markdown(doc, "x.json", "plots");
	assert_non_null(md);
	assert_non_null(strstr(md, "## Network\n\nOne TCP workload per environment"));
	assert_non_null(strstr(md, "3 runs per system. *RTT*: 1-byte ping-pong; each run 667 timed round trips"));
	assert_non_null(strstr(md, "| system | round trips | RTT: median [95% CI] | p99 | stream: median [95% CI] | runs | failures |"));
	/* median of 20.0, 20.2, ... 20.8 us (10 each, one 20 replaced by the p99 sample, same here) */
	assert_non_null(strstr(md, "| native | 50 | 20.4 us ["));
	assert_non_null(strstr(md, "| 16.00 Gbit/s [14.40, 17.60] | 3 | 0 |"));
	assert_non_null(strstr(md, "| isolab-image-port/native | 2.00x ["));
	assert_non_null(strstr(md, "| 0.50x ["));
	/* the publication's figures and where they come from */
	assert_non_null(strstr(md, "| netperf TCP_RR, KVM guest (virtio-net, vhost-net) | isolab-vmm-net | 37.6 us | 67.9 us | 1.81x | not measured | Felter et al., IBM RC25482 / ISPASS 2015, as quoted in issue 12 |"));
	assert_non_null(strstr(md, "- isolab-vmm-net: no usable /dev/kvm here (run in the lab: make bench)"));
	assert_non_null(strstr(md, "![TCP round trip and stream, ratio to native](plots/network.png)"));
	free(md);
	cJSON_Delete(doc);
}

static void args_network_suite(void **state)
{
	struct isolab_error err = { 0 };
	unsigned mask = 0;

	(void)state;
	assert_int_equal(bench_parse_suites("network", &mask, &err), 0);
	assert_int_equal(mask, BENCH_SUITE_NETWORK);
	assert_int_equal(bench_parse_suites("all", &mask, &err), 0);
	assert_true(mask & BENCH_SUITE_NETWORK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stats_odd_count),
		cmocka_unit_test(stats_even_count),
		cmocka_unit_test(stats_one_sample),
		cmocka_unit_test(stats_empty_is_an_error),
		cmocka_unit_test(stats_percentile_ends_and_ties),
		cmocka_unit_test(stats_cdf_points),
		cmocka_unit_test(median_in_place_is_the_summary_median),
		cmocka_unit_test(rng_is_seeded_and_uniform),
		cmocka_unit_test(ci_median_contains_the_median_and_is_reproducible),
		cmocka_unit_test(ci_median_narrows_with_more_samples),
		cmocka_unit_test(ci_median_known_cases),
		cmocka_unit_test(ci_median_even_counts_and_ties),
		cmocka_unit_test(ci_ratio_of_medians),
		cmocka_unit_test(round_order_is_a_seeded_shuffle),
		cmocka_unit_test(rounds_spread_runs_in_batches),
		cmocka_unit_test(results_write_and_read_back),
		cmocka_unit_test(results_newest_none),
		cmocka_unit_test(results_check_finds_holes),
		cmocka_unit_test(summary_json_of_nothing),
		cmocka_unit_test(summary_json_has_its_interval_from_three_samples),
		cmocka_unit_test(ratios_json_have_intervals),
		cmocka_unit_test(stats_file_times_and_memory),
		cmocka_unit_test(args_defaults_and_quick),
		cmocka_unit_test(args_options),
		cmocka_unit_test(args_rejects),
		cmocka_unit_test(build_output_isolab),
		cmocka_unit_test(build_output_buildah),
		cmocka_unit_test(build_output_cut_short),
		cmocka_unit_test(memstat_parsers),
		cmocka_unit_test(format_numbers),
		cmocka_unit_test(format_with_intervals),
		cmocka_unit_test(markdown_table),
		cmocka_unit_test(report_markdown_sections),
		cmocka_unit_test(report_markdown_build),
		cmocka_unit_test(report_markdown_syscall_rounds_and_intervals),
		cmocka_unit_test(oci_config_from_spec),
		cmocka_unit_test(lifecycle_phases_from_times),
		cmocka_unit_test(pid_file_text),
		cmocka_unit_test(report_markdown_lifecycle),
		cmocka_unit_test(density_point_sequence),
		cmocka_unit_test(density_stopping_rule),
		cmocka_unit_test(density_per_instance_stats),
		cmocka_unit_test(report_markdown_density),
		cmocka_unit_test(merge_two_hosts_side_by_side),
		cmocka_unit_test(merge_suite_only_one_host_has),
		cmocka_unit_test(merge_refuses_what_is_not_results),
		cmocka_unit_test(merge_and_style_arguments),
		cmocka_unit_test(not_measured_line_groups_reasons),
		cmocka_unit_test(net_rr_summary_has_p99),
		cmocka_unit_test(net_ratios_to_native),
		cmocka_unit_test(net_report_section),
		cmocka_unit_test(args_network_suite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
