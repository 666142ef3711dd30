/* suggest.c: the "did you mean" hint (see suggest.h). */
#include "common/suggest.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool same_letter(char a, char b)
{
	return tolower((unsigned char)a) == tolower((unsigned char)b);
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t isolab_edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	/* d[i][j]: the distance between the first i letters of a and j of b */
	uint8_t d[ISOLAB_SUGGEST_WORD_MAX + 1][ISOLAB_SUGGEST_WORD_MAX + 1];
	size_t i, j;

	if (alen > ISOLAB_SUGGEST_WORD_MAX || blen > ISOLAB_SUGGEST_WORD_MAX)
		return SIZE_MAX;
	for (i = 0; i <= alen; i++)
		d[i][0] = (uint8_t)i;
	for (j = 0; j <= blen; j++)
		d[0][j] = (uint8_t)j;
	for (i = 1; i <= alen; i++) {
		for (j = 1; j <= blen; j++) {
			size_t cost = same_letter(a[i - 1], b[j - 1]) ? 0 : 1;
			size_t v = min3(d[i - 1][j] + 1u, d[i][j - 1] + 1u, d[i - 1][j - 1] + cost);

			if (i > 1 && j > 1 && same_letter(a[i - 1], b[j - 2]) &&
			    same_letter(a[i - 2], b[j - 1]) && d[i - 2][j - 2] + 1u < v)
				v = d[i - 2][j - 2] + 1u;
			d[i][j] = (uint8_t)v;
		}
	}
	return d[alen][blen];
}

/* How far a word of len letters may be from what was meant. */
static size_t distance_limit(size_t len)
{
	if (len <= 3)
		return 1;
	if (len <= 8)
		return 2;
	return len / 3;
}

static bool has_prefix(const char *word, size_t len, const char *candidate)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (candidate[i] == '\0' || !same_letter(word[i], candidate[i]))
			return false;
	return true;
}

/* isolab_suggest over the first len letters of word. */
static const char *suggest_n(const char *word, size_t len, const char *const *candidates,
			     size_t count)
{
	const char *best = NULL, *prefixed = NULL;
	size_t best_distance = SIZE_MAX, prefixes = 0, i;

	if (len == 0 || len > ISOLAB_SUGGEST_WORD_MAX)
		return NULL;
	for (i = 0; i < count; i++) {
		const char *c = candidates[i];
		size_t d;

		if (c == NULL)
			continue;
		if (has_prefix(word, len, c)) {
			/* the same word twice in the list is one candidate */
			if (prefixed == NULL || strcmp(prefixed, c) != 0)
				prefixes++;
			prefixed = c;
		}
		d = isolab_edit_distance(word, len, c, strlen(c));
		if (d < best_distance) {
			best_distance = d;
			best = c;
		}
	}
	if (prefixes == 1)
		return prefixed;
	return best_distance <= distance_limit(len) ? best : NULL;
}

const char *isolab_suggest(const char *word, const char *const *candidates, size_t count)
{
	return suggest_n(word, strlen(word), candidates, count);
}

/* The option's name in arg: after its dashes, before any "=value"; NULL
 * for a short option ("-x") or no name. */
static const char *option_word(const char *arg, size_t *len)
{
	if (strncmp(arg, "--", 2) == 0)
		arg += 2;
	else if (arg[0] == '-' && arg[1] != '\0' && arg[2] != '\0')
		arg += 1; /* "-runs": a long option with one dash */
	else
		return NULL;
	*len = strcspn(arg, "=");
	return *len ? arg : NULL;
}

const char *isolab_suggest_option(const char *arg, const struct option *opts)
{
	const char *names[128];
	const char *word;
	size_t n = 0, len;

	word = option_word(arg, &len);
	if (word == NULL)
		return NULL;
	for (; opts->name != NULL && n < sizeof(names) / sizeof(names[0]); opts++)
		names[n++] = opts->name;
	return suggest_n(word, len, names, n);
}

int isolab_error_unknown_option(struct isolab_error *err, const char *arg,
				const struct option *opts)
{
	const struct option *o;
	const char *word, *hint;
	char list[256];
	size_t len, used = 0, prefixes = 0;

	word = option_word(arg, &len);
	if (word != NULL && strncmp(arg, "--", 2) == 0) {
		list[0] = '\0';
		for (o = opts; o->name != NULL; o++) {
			if (strncmp(o->name, word, len) != 0)
				continue;
			prefixes++;
			if (used < sizeof(list)) {
				int w = snprintf(list + used, sizeof(list) - used, "%s--%s",
						 used ? ", " : "", o->name);

				used += w > 0 ? (size_t)w : 0;
			}
		}
		if (prefixes > 1)
			return isolab_error_set(err, -EINVAL, "option `%s` is ambiguous (%s)", arg, list);
	}
	hint = isolab_suggest_option(arg, opts);
	if (hint != NULL)
		return isolab_error_set(err, -EINVAL, "unknown option `%s` (did you mean `--%s`?)",
					arg, hint);
	return isolab_error_set(err, -EINVAL, "unknown option `%s`", arg);
}

/* Whether the short option c takes a value in getopt's shortopts. */
static bool short_needs_value(const char *shortopts, int c)
{
	const char *p;

	if (c <= 0 || c == ':' || c > 255)
		return false;
	if (*shortopts == '+' || *shortopts == '-')
		shortopts++;
	p = strchr(*shortopts == ':' ? shortopts + 1 : shortopts, c);
	return p != NULL && p[1] == ':' && p[2] != ':';
}

int isolab_getopt_error(struct isolab_error *err, char *const argv[], int ind, int opt,
			const char *shortopts, const struct option *opts)
{
	const char *arg = ind > 0 ? argv[ind - 1] : "";
	const struct option *o;
	size_t len;

	if (opt == 0) /* a long option getopt did not know, or knew several of */
		return isolab_error_unknown_option(err, arg, opts);
	if (strncmp(arg, "--", 2) == 0) {
		/* a known long option without its value, or with one it takes none of */
		len = strcspn(arg + 2, "=");
		for (o = opts; o->name != NULL; o++) {
			if (o->val != opt || strncmp(o->name, arg + 2, len) != 0)
				continue;
			if (arg[2 + len] == '=')
				return isolab_error_set(err, -EINVAL, "option `--%s` takes no value",
							o->name);
			return isolab_error_set(err, -EINVAL, "option `--%s` needs a value", o->name);
		}
		return isolab_error_unknown_option(err, arg, opts);
	}
	/* a short option: its value missing at the end of the word, or unknown */
	len = strlen(arg);
	if (arg[0] == '-' && len >= 2 && arg[len - 1] == opt && short_needs_value(shortopts, opt))
		return isolab_error_set(err, -EINVAL, "option `-%c` needs a value", opt);
	return isolab_error_set(err, -EINVAL, "unknown option `-%c`", opt);
}
