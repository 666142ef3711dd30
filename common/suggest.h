/*
 * suggest.h: the "did you mean" hint of every command line (pure: no I/O).
 *
 * Given a word the program did not know (an option or a command) and the
 * words it does know, the closest known one, or NULL when none is close:
 *   - a unique prefix wins ("rep" -> "report");
 *   - else the smallest Damerau-Levenshtein distance (optimal string
 *     alignment: insert, delete, substitute, swap two neighbours; case
 *     ignored), if it is at most 1 for words of up to 3 letters, 2 up to
 *     8 letters, a third of the length beyond; on a tie the first in the
 *     list.
 */
#ifndef ISOLAB_COMMON_SUGGEST_H
#define ISOLAB_COMMON_SUGGEST_H

#include <getopt.h>
#include <stddef.h>
#include "common/error.h"

/* Words longer than this are never matched (nor suggested). */
#define ISOLAB_SUGGEST_WORD_MAX 64

/* The candidate closest to word, or NULL. */
const char *isolab_suggest(const char *word, const char *const *candidates, size_t count);

/* The edit distance above between a[0..alen) and b[0..blen), both at most
 * ISOLAB_SUGGEST_WORD_MAX long (else SIZE_MAX). */
size_t isolab_edit_distance(const char *a, size_t alen, const char *b, size_t blen);

/* For getopt_long's unknown options: arg is the word as typed ("--rnus",
 * "--rnus=3", "-rnus"); the name (without dashes) of the closest long
 * option of opts (ended by a zeroed entry), or NULL. */
const char *isolab_suggest_option(const char *arg, const struct option *opts);

/* Fills err with "unknown option `ARG`", plus " (did you mean `--NAME`?)"
 * when one is close, or "option `ARG` is ambiguous (--A, --B)" when it is
 * the prefix of several; returns -EINVAL. */
int isolab_error_unknown_option(struct isolab_error *err, const char *arg,
				const struct option *opts);

/*
 * After getopt_long (with opterr = 0) returned '?' (or ':'): fills err with
 * why, naming the word as typed, and returns -EINVAL. ind and opt are
 * getopt's optind and optopt then, shortopts and opts what it was given:
 *   "unknown option `-x`", "unknown option `--rnus` (did you mean `--runs`?)",
 *   "option `--re` is ambiguous (--results, --resume)",
 *   "option `--quick` takes no value", "option `--name` needs a value".
 */
int isolab_getopt_error(struct isolab_error *err, char *const argv[], int ind, int opt,
			const char *shortopts, const struct option *opts);

#endif
