/*
 * build_check.h: reading a builder's output (pure, unit-tested): which
 * steps of a build were taken from the builder's cache. The build suite
 * counts a rebuild only when every step after FROM was.
 *
 * A builder's output names each step on a line of its own that starts
 * with step_prefix and then "N/M" ("Step 5/10 : COPY ..." for isolab,
 * "STEP 5/10: COPY ..." for buildah); a step taken from the cache has a
 * line containing cached_marker before the next step's line
 * (" ---> CACHED", "--> Using cache <id>"). FROM steps never have one.
 */
#ifndef ISOLAB_BENCH_BUILD_CHECK_H
#define ISOLAB_BENCH_BUILD_CHECK_H

#include "common/error.h"

struct bench_build_steps {
	unsigned steps;          /* step lines seen */
	unsigned total;          /* M of the last step line */
	unsigned from_steps;     /* of them, FROM */
	unsigned cached;         /* steps followed by the cache marker */
	unsigned uncached;       /* steps other than FROM without it */
	unsigned first_uncached; /* N of the first of those; 0 if none */
	char first_uncached_text[128]; /* its instruction, cut to fit */
};

/* Fills out from output (NUL-terminated). */
void bench_build_steps(const char *output, const char *step_prefix, const char *cached_marker,
		       struct bench_build_steps *out);

/*
 * 0 when the output shows a whole build (steps 1..M, M > 0) with every
 * step other than FROM cached; otherwise -EIO and err names the first
 * uncached step ("step 7/10 `RUN ...` was not cached") or says that no
 * or not every step was seen.
 */
int bench_build_all_cached(const char *output, const char *step_prefix,
			   const char *cached_marker, struct isolab_error *err);

#endif
