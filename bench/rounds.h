/*
 * rounds.h: the plan of a suite's rounds (pure, unit-tested).
 *
 * The start-up, syscall and lifecycle suites interleave their systems: for
 * round r = 1..R, every usable system runs one batch, in an order shuffled
 * afresh each round from the suite's seed (recorded in the results file,
 * so the orders can be computed again, and a resumed run keeps them). A
 * suite's N runs per system are spread over its R rounds: each round a
 * batch of N / R runs, one more in the first N % R rounds. Runs keep their
 * numbers 1..N across rounds (the checkpoint's unit names).
 */
#ifndef ISOLAB_BENCH_ROUNDS_H
#define ISOLAB_BENCH_ROUNDS_H

#include <stddef.h>
#include <stdint.h>

/* The syscall suite's rounds without --rounds (issue 16: at least 5). */
#define BENCH_SYSCALL_ROUNDS 5u
/* --quick (the test suite's smoke run): the fewest that still give an interval. */
#define BENCH_QUICK_SYSCALL_ROUNDS 3u

/*
 * The order of n systems (indices 0..n-1) in round (1-based) from seed:
 * a Fisher-Yates shuffle driven by bench_rng seeded from seed and round.
 */
void bench_round_order(uint64_t seed, unsigned round, size_t n, size_t *order);

/*
 * The rounds a suite of `runs` runs per system takes: requested (--rounds)
 * when given, else deflt, never more than runs (a round has at least one
 * run) and at least 1.
 */
unsigned bench_rounds_for(unsigned requested, unsigned deflt, unsigned runs);

/* How many runs round (1-based) of rounds holds; its first run's number in *first. */
unsigned bench_round_batch(unsigned runs, unsigned rounds, unsigned round, unsigned *first);

#endif
