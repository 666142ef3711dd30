/*
 * dockerignore.h: the .dockerignore of a build context (pure: no system
 * calls, unit-tested and fuzzed), with Docker's rules (moby/patternmatcher
 * and buildkit's dockerignore.ReadAll), written again in C:
 *
 *   - one pattern a line; a line whose first character is `#` is a
 *     comment; blanks around a pattern are trimmed; blank lines skipped;
 *   - `!PATTERN` is an exception: it re-includes what it matches;
 *   - patterns are cleaned as Go's filepath.Clean does ("a//b/../c" is
 *     "a/c") and a leading '/' is dropped: they are relative to the context;
 *   - `*` matches any run of characters but '/', `?` one character but '/',
 *     `[a-z]`/`[^a-z]` one character of (not of) a class (never '/'), `\`
 *     takes the next character literally; `**` matches any number of
 *     directories: `**` then `/x.go` is x.go at any depth, and `a/` then
 *     `**` all that is under a;
 *   - a path is excluded when the last pattern that matches it or one of
 *     its parent directories is not an exception.
 *
 * Two points follow Docker where its code and its documentation part:
 * `**NAME` with no '/' after `**` and no other wildcard matches any path
 * ending in NAME (Docker's suffix shortcut), and `\d` is a literal `d`
 * (filepath.Match's rule; Docker's regular expression reads it as a digit).
 */
#ifndef ISOLAB_ENGINE_DOCKERIGNORE_H
#define ISOLAB_ENGINE_DOCKERIGNORE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define ENG_IGNORE_FILE_MAX (1024 * 1024) /* bytes of a .dockerignore */
#define ENG_IGNORE_PATTERNS_MAX 10000     /* patterns */
#define ENG_IGNORE_PATTERN_MAX 4096       /* bytes of one pattern */

struct eng_ignore;

/*
 * Parses .dockerignore text of len bytes (need not end in NUL). Errors
 * (-EINVAL) name the line: ".dockerignore:3: bad pattern `[a-`: ...",
 * ".dockerignore:5: illegal exclusion pattern: \"!\"". An empty file gives
 * a matcher that excludes nothing. Free with eng_ignore_free.
 */
int eng_ignore_parse(const char *text, size_t len, struct eng_ignore **out,
		     struct isolab_error *err);
void eng_ignore_free(struct eng_ignore *ig);

/* The number of patterns, and whether any is an exception (`!`). */
size_t eng_ignore_count(const struct eng_ignore *ig);
bool eng_ignore_has_exceptions(const struct eng_ignore *ig);

/*
 * Whether path (relative to the context, '/'-separated, no leading "./",
 * e.g. "src/main.c") is excluded (Docker's MatchesOrParentMatches). The
 * context itself ("" or ".") is never excluded.
 */
bool eng_ignore_match(const struct eng_ignore *ig, const char *path);

/*
 * For an excluded directory dir: whether the walk must still go into it
 * because an exception could re-include something below it (`docs` then
 * `!docs/README.md`: "docs" must be walked, its other files stay
 * excluded). Each entry found below is then decided by eng_ignore_match.
 * Docker compares the exception's text with the directory's; this compares
 * them component by component, wildcards included (`!src?/keep.txt`
 * reaches "src1"), and an exception with `**` before the depth of dir
 * always says yes.
 */
bool eng_ignore_must_descend(const struct eng_ignore *ig, const char *dir);

#endif
