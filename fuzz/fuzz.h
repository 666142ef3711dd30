/*
 * fuzz.h: what every libFuzzer target in fuzz/ shares: the entry point's
 * prototype, an assertion that stays on in any build (a broken invariant
 * must crash so libFuzzer keeps the input), and argv built from bytes
 * for the command-line parsers.
 */
#ifndef ISOLAB_FUZZ_FUZZ_H
#define ISOLAB_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* libFuzzer calls this once per input (https://llvm.org/docs/LibFuzzer.html). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                        \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, \
				__LINE__, #cond);                                \
			abort();                                                 \
		}                                                                \
	} while (0)

#define FUZZ_MAX_ARGS 64

/* argv for a parser: argv[0] = the program, then the input split at NUL bytes
 * (at most FUZZ_MAX_ARGS; an empty input gives no arguments). */
struct fuzz_argv {
	char *buf;                       /* the input, NUL-terminated; argv points into it */
	char *argv[FUZZ_MAX_ARGS + 2];
	int argc;
};

/* Returns 0, or -1 when out of memory (the input is then skipped). */
int fuzz_argv_init(struct fuzz_argv *a, const char *prog, const uint8_t *data, size_t size);
void fuzz_argv_free(struct fuzz_argv *a);

#endif
