/* rounds.c: shuffled round orders and batches (see rounds.h). */
#include "bench/rounds.h"
#include "bench/stats.h"

void bench_round_order(uint64_t seed, unsigned round, size_t n, size_t *order)
{
	struct bench_rng rng;
	size_t i;

	/*
	 * One stream per round, seeded with output number `round` of the
	 * generator seeded with `seed` (a well-mixed 64-bit value): seeding
	 * with seed ^ f(round) directly leaves the low bits of neighbouring
	 * rounds' first draws correlated, and with two systems a shuffle is
	 * exactly one low bit.
	 */
	bench_rng_seed(&rng, seed + ((uint64_t)round - 1) * UINT64_C(0x9e3779b97f4a7c15));
	bench_rng_seed(&rng, bench_rng_next(&rng));
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		size_t j = bench_rng_below(&rng, i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}

unsigned bench_rounds_for(unsigned requested, unsigned deflt, unsigned runs)
{
	unsigned r = requested ? requested : deflt;

	if (r > runs)
		r = runs;
	return r ? r : 1;
}

unsigned bench_round_batch(unsigned runs, unsigned rounds, unsigned round, unsigned *first)
{
	unsigned base, extra, r0;

	if (rounds == 0 || round == 0 || round > rounds) {
		*first = 0;
		return 0;
	}
	base = runs / rounds;
	extra = runs % rounds;
	r0 = round - 1;
	*first = 1 + r0 * base + (r0 < extra ? r0 : extra);
	return base + (r0 < extra ? 1 : 0);
}
