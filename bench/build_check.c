/* build_check.c: which steps of a build came from the cache (see build_check.h). */
#include "bench/build_check.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* If line (length len) is a step line, its N, M and instruction; else false. */
static bool step_line(const char *line, size_t len, const char *prefix, unsigned *n,
		      unsigned *m, const char **text, size_t *text_len)
{
	size_t plen = strlen(prefix);
	const char *p = line + plen, *end = line + len;
	char *q;
	unsigned long a, b;

	if (len <= plen || strncmp(line, prefix, plen) != 0 || *p < '0' || *p > '9')
		return false;
	a = strtoul(p, &q, 10);
	if (q >= end || *q != '/' || q[1] < '0' || q[1] > '9')
		return false;
	b = strtoul(q + 1, &q, 10);
	if (q > end || a == 0 || a > b || b > 100000)
		return false;
	while (q < end && (*q == ' ' || *q == ':'))
		q++;
	*n = (unsigned)a;
	*m = (unsigned)b;
	*text = q;
	*text_len = (size_t)(end - q);
	return true;
}

static bool contains(const char *line, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (memcmp(line + i, needle, n) == 0)
			return true;
	return false;
}

/* Closes the step that was open: counts it as cached, FROM, or uncached. */
static void close_step(struct bench_build_steps *out, unsigned n, bool is_from, bool cached,
		       const char *text, size_t text_len)
{
	if (n == 0)
		return;
	if (cached) {
		out->cached++;
	} else if (!is_from) {
		if (out->uncached++ == 0) {
			size_t k = text_len < sizeof(out->first_uncached_text) - 1 ?
					   text_len : sizeof(out->first_uncached_text) - 1;

			out->first_uncached = n;
			memcpy(out->first_uncached_text, text, k);
			out->first_uncached_text[k] = '\0';
		}
	}
}

void bench_build_steps(const char *output, const char *step_prefix, const char *cached_marker,
		       struct bench_build_steps *out)
{
	const char *line = output, *text = NULL;
	size_t text_len = 0;
	unsigned open_n = 0;
	bool open_from = false, open_cached = false;

	memset(out, 0, sizeof(*out));
	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		unsigned n, m;
		const char *t;
		size_t tl;

		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (step_line(line, len, step_prefix, &n, &m, &t, &tl)) {
			close_step(out, open_n, open_from, open_cached, text, text_len);
			open_n = n;
			open_from = tl >= 5 && strncasecmp(t, "FROM ", 5) == 0;
			open_cached = false;
			text = t;
			text_len = tl;
			out->steps++;
			out->total = m;
			if (open_from)
				out->from_steps++;
		} else if (open_n != 0 && contains(line, len, cached_marker)) {
			open_cached = true;
		}
		line = nl ? nl + 1 : NULL;
	}
	close_step(out, open_n, open_from, open_cached, text, text_len);
}

int bench_build_all_cached(const char *output, const char *step_prefix,
			   const char *cached_marker, struct isolab_error *err)
{
	struct bench_build_steps s;

	bench_build_steps(output ? output : "", step_prefix, cached_marker, &s);
	if (s.steps == 0)
		return isolab_error_set(err, -EIO, "no `%sN/M` step line in the output", step_prefix);
	if (s.uncached > 0)
		return isolab_error_set(err, -EIO, "step %u/%u `%s` was not cached (%u of %u steps "
				       "were not)", s.first_uncached, s.total, s.first_uncached_text,
					s.uncached, s.total);
	if (s.steps != s.total)
		return isolab_error_set(err, -EIO, "%u step lines for a build of %u steps", s.steps,
					s.total);
	return 0;
}
