/* stats.c: median, percentiles and CDF points (see stats.h). */
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
