/*
 * stats.h: order statistics over timing samples (pure; shared by
 * isolab-bench and the static probe).
 *
 * Percentiles use linear interpolation between closest ranks (Hyndman &
 * Fan type 7, numpy's default): for sorted x[0..n-1] and p in [0,1],
 * h = (n-1)p, value = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 * So the median of an even count is the mean of the two middle samples,
 * and one sample is its own median, p5 and p95.
 */
#ifndef ISOLAB_BENCH_STATS_H
#define ISOLAB_BENCH_STATS_H

#include <stddef.h>

struct bench_summary {
	size_t n;
	double median, p5, p95, min, max, mean;
};

/* Sorts values ascending in place. */
void bench_sort(double *values, size_t n);

/* Percentile p (0..1) of already sorted values; 0 when n == 0. */
double bench_percentile_sorted(const double *sorted, size_t n, double p);

/*
 * Summary of n samples (the input is not modified; scratch must hold n
 * doubles, or be NULL to sort a heap copy). Returns 0, or -EINVAL for
 * n == 0, -ENOMEM if the copy fails.
 */
int bench_summarize(const double *samples, size_t n, double *scratch,
		    struct bench_summary *out);

/*
 * Empirical CDF: xs = samples sorted, ys[i] = (i + 1) / n. Both arrays
 * hold n values. Returns n.
 */
size_t bench_cdf(const double *samples, size_t n, double *xs, double *ys);

#endif
