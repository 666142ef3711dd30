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
#include <stdint.h>

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

/*
 * The median of v[0..n-1] (n > 0) as bench_summarize gives it, in O(n)
 * (quickselect): v is reordered.
 */
double bench_median_in_place(double *v, size_t n);

/*
 * A small seeded generator (splitmix64, Steele, Lea & Flood 2014): the same
 * seed gives the same sequence everywhere, so every interval and every
 * shuffled order in a results file can be computed again from it.
 */
struct bench_rng {
	uint64_t state;
};

void bench_rng_seed(struct bench_rng *rng, uint64_t seed);
uint64_t bench_rng_next(struct bench_rng *rng);
/* Uniform in [0, n) for n > 0 (rejection sampling: no modulo bias). */
size_t bench_rng_below(struct bench_rng *rng, size_t n);

/*
 * 95% confidence intervals by the percentile bootstrap (Efron & Tibshirani
 * 1993, ch. 13): BENCH_CI_RESAMPLES times, draw n values with replacement
 * from the n samples and take their median; the interval is the 2.5th and
 * 97.5th percentile (as above) of those medians. For a ratio of two
 * medians, each side is resampled independently and the ratio taken per
 * resample. The generator starts from `seed` each time, so the interval
 * is a function of the samples and the seed. Fewer than BENCH_CI_MIN_N
 * samples on a side give no interval (-EDOM): a results file then has no
 * "ci95" there.
 */
#define BENCH_CI_RESAMPLES 2000u
#define BENCH_CI_MIN_N     3u
#define BENCH_CI_LEVEL     0.95
/* The seed of every interval isolab-bench writes (any fixed value would do). */
#define BENCH_CI_SEED      UINT64_C(0x15014b5eed)

struct bench_interval {
	double lo, hi;
};

/* Returns 0, -EDOM for n < BENCH_CI_MIN_N, -ENOMEM. */
int bench_ci_median(const double *samples, size_t n, uint64_t seed, struct bench_interval *out);

/*
 * The interval of median(a) / median(b). -EDOM for fewer than
 * BENCH_CI_MIN_N samples on either side or a resampled median of b that is
 * not positive; -ENOMEM.
 */
int bench_ci_ratio(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
		   struct bench_interval *out);

#endif
