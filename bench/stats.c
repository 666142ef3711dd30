/* stats.c: median, percentiles, CDF points, bootstrap intervals (see stats.h). */
#include "bench/stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_sort(double *values, size_t n)
{
	if (n > 1)
		qsort(values, n, sizeof(*values), compare_double);
}

double bench_percentile_sorted(const double *sorted, size_t n, double p)
{
	double h, frac;
	size_t lo;

	if (n == 0)
		return 0.0;
	if (p <= 0.0)
		return sorted[0];
	if (p >= 1.0)
		return sorted[n - 1];
	h = (double)(n - 1) * p;
	lo = (size_t)h;
	frac = h - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int bench_summarize(const double *samples, size_t n, double *scratch,
		    struct bench_summary *out)
{
	double *sorted = scratch, sum = 0.0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return -EINVAL;
	if (sorted == NULL) {
		sorted = malloc(n * sizeof(*sorted));
		if (sorted == NULL)
			return -ENOMEM;
	}
	memcpy(sorted, samples, n * sizeof(*sorted));
	bench_sort(sorted, n);
	for (i = 0; i < n; i++)
		sum += sorted[i];
	out->n = n;
	out->min = sorted[0];
	out->max = sorted[n - 1];
	out->mean = sum / (double)n;
	out->median = bench_percentile_sorted(sorted, n, 0.5);
	out->p5 = bench_percentile_sorted(sorted, n, 0.05);
	out->p95 = bench_percentile_sorted(sorted, n, 0.95);
	if (scratch == NULL)
		free(sorted);
	return 0;
}

size_t bench_cdf(const double *samples, size_t n, double *xs, double *ys)
{
	size_t i;

	memcpy(xs, samples, n * sizeof(*xs));
	bench_sort(xs, n);
	for (i = 0; i < n; i++)
		ys[i] = (double)(i + 1) / (double)n;
	return n;
}

void bench_rng_seed(struct bench_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

uint64_t bench_rng_next(struct bench_rng *rng)
{
	uint64_t z = (rng->state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

size_t bench_rng_below(struct bench_rng *rng, size_t n)
{
	/* the largest multiple of n that fits: draws at or above it are redrawn */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = bench_rng_next(rng);
	while (x >= limit);
	return (size_t)(x % n);
}

static void swap_values(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/*
 * Moves the k-th smallest of v[0..n-1] (n > k) to v[k], the smaller ones
 * before it and the larger after: quickselect with a three-way partition
 * (Dijkstra's), so ties (equal timings) cost no extra passes.
 */
static void select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1; /* the part that holds the k-th, inclusive */

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t lt = lo, i = lo, gt = hi + 1; /* [lo,lt) <, [lt,i) ==, [gt,hi] > pivot */

		while (i < gt) {
			if (v[i] < pivot)
				swap_values(&v[lt++], &v[i++]);
			else if (pivot < v[i])
				swap_values(&v[i], &v[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt - 1;
		else if (k >= gt)
			lo = gt;
		else
			return; /* v[k] equals the pivot */
	}
}

double bench_median_in_place(double *v, size_t n)
{
	size_t k = (n - 1) / 2, i;
	double next;

	select_kth(v, n, k);
	if (n % 2 == 1)
		return v[k];
	next = v[k + 1];
	for (i = k + 2; i < n; i++)
		if (v[i] < next)
			next = v[i];
	return v[k] + 0.5 * (next - v[k]);
}

/* One resample of samples[0..n-1] into scratch, its median. */
static double resampled_median(struct bench_rng *rng, const double *samples, size_t n,
			       double *scratch)
{
	size_t i;

	for (i = 0; i < n; i++)
		scratch[i] = samples[bench_rng_below(rng, n)];
	return bench_median_in_place(scratch, n);
}

/* The interval from the sorted bootstrap statistics. */
static void interval_of(double *stats, size_t count, struct bench_interval *out)
{
	bench_sort(stats, count);
	out->lo = bench_percentile_sorted(stats, count, (1.0 - BENCH_CI_LEVEL) / 2);
	out->hi = bench_percentile_sorted(stats, count, 1.0 - (1.0 - BENCH_CI_LEVEL) / 2);
}

int bench_ci_median(const double *samples, size_t n, uint64_t seed, struct bench_interval *out)
{
	struct bench_rng rng;
	double *scratch, *stats;
	size_t b;

	if (n < BENCH_CI_MIN_N)
		return -EDOM;
	scratch = malloc(n * sizeof(*scratch));
	stats = malloc(BENCH_CI_RESAMPLES * sizeof(*stats));
	if (scratch == NULL || stats == NULL) {
		free(scratch);
		free(stats);
		return -ENOMEM;
	}
	bench_rng_seed(&rng, seed);
	for (b = 0; b < BENCH_CI_RESAMPLES; b++)
		stats[b] = resampled_median(&rng, samples, n, scratch);
	interval_of(stats, BENCH_CI_RESAMPLES, out);
	free(scratch);
	free(stats);
	return 0;
}

int bench_ci_ratio(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
		   struct bench_interval *out)
{
	struct bench_rng rng;
	double *scratch, *stats;
	size_t i;
	int rc = 0;

	if (na < BENCH_CI_MIN_N || nb < BENCH_CI_MIN_N)
		return -EDOM;
	scratch = malloc((na > nb ? na : nb) * sizeof(*scratch));
	stats = malloc(BENCH_CI_RESAMPLES * sizeof(*stats));
	if (scratch == NULL || stats == NULL) {
		free(scratch);
		free(stats);
		return -ENOMEM;
	}
	bench_rng_seed(&rng, seed);
	for (i = 0; i < BENCH_CI_RESAMPLES && rc == 0; i++) {
		double num = resampled_median(&rng, a, na, scratch);
		double den = resampled_median(&rng, b, nb, scratch);

		if (den > 0)
			stats[i] = num / den;
		else
			rc = -EDOM;
	}
	if (rc == 0)
		interval_of(stats, BENCH_CI_RESAMPLES, out);
	free(scratch);
	free(stats);
	return rc;
}
