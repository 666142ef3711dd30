/* table.c: number formatting and Markdown tables (see table.h). */
#include "bench/table.h"
#include "common/size.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The unit, scale and decimals bench_format_ns picks for ns (>= 0). */
static void ns_scale(double ns, const char **unit, double *div, int *decimals)
{
	if (ns < 1e3) {
		*unit = "ns", *div = 1, *decimals = 0;
	} else if (ns < 1e4) {
		*unit = "us", *div = 1e3, *decimals = 2;
	} else if (ns < 1e6) {
		*unit = "us", *div = 1e3, *decimals = 1;
	} else if (ns < 1e9) {
		*unit = "ms", *div = 1e6, *decimals = 2;
	} else {
		*unit = "s", *div = 1e9, *decimals = 2;
	}
}

void bench_format_ns(double ns, char *buf, size_t size)
{
	const char *unit;
	double div;
	int decimals;

	if (ns < 0) {
		snprintf(buf, size, "-");
		return;
	}
	ns_scale(ns, &unit, &div, &decimals);
	snprintf(buf, size, "%.*f %s", decimals, ns / div, unit);
}

void bench_format_ns_ci(double ns, const struct bench_interval *ci, char *buf, size_t size)
{
	const char *unit;
	double div;
	int decimals;

	if (ns < 0 || ci == NULL) {
		bench_format_ns(ns, buf, size);
		return;
	}
	ns_scale(ns, &unit, &div, &decimals);
	snprintf(buf, size, "%.*f %s [%.*f, %.*f]", decimals, ns / div, unit, decimals,
		 ci->lo / div, decimals, ci->hi / div);
}

void bench_format_bytes(double bytes, char *buf, size_t size)
{
	if (bytes < 0)
		snprintf(buf, size, "-");
	else
		isolab_format_size((uint64_t)bytes, buf, size);
}

/* The decimals bench_format_ratio gives ratio (> 0). */
static int ratio_decimals(double ratio)
{
	return ratio < 0.1 ? 3 : ratio < 10 ? 2 : 1; /* small ratios keep two significant digits */
}

void bench_format_ratio(double ratio, char *buf, size_t size)
{
	if (ratio <= 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.*fx", ratio_decimals(ratio), ratio);
}

void bench_format_ratio_ci(double ratio, const struct bench_interval *ci, char *buf, size_t size)
{
	int d;

	if (ratio <= 0 || ci == NULL) {
		bench_format_ratio(ratio, buf, size);
		return;
	}
	d = ratio_decimals(ratio);
	snprintf(buf, size, "%.*fx [%.*f, %.*f]", d, ratio, d, ci->lo, d, ci->hi);
}

void bench_text_append(struct bench_text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *p;

		while (cap < t->len + n + 1)
			cap *= 2;
		p = realloc(t->s, cap);
		if (p == NULL) {
			t->failed = 1;
			return;
		}
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

__attribute__((format(printf, 3, 0)))
static void vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	/*
	 * clang-tidy 14 reports an "uninitialized va_list" here when it checks
	 * this file after another one in the same run (a false positive: the
	 * caller did va_start); alone the file is clean.
	 */
	vsnprintf(buf, size, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
}

void bench_text_printf(struct bench_text *t, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	bench_text_append(t, buf);
}

void bench_text_free(struct bench_text *t)
{
	free(t->s);
	t->s = NULL;
	t->len = t->cap = 0;
}

static void cell(struct bench_text *t, const char *s)
{
	char buf[512];
	size_t j = 0;

	for (; s != NULL && *s && j + 3 < sizeof(buf); s++) {
		if (*s == '|')
			buf[j++] = '\\';
		buf[j++] = (*s == '\n') ? ' ' : *s;
	}
	buf[j] = '\0';
	bench_text_append(t, " ");
	bench_text_append(t, buf);
	bench_text_append(t, " |");
}

void bench_table_row(struct bench_text *t, const char *const *cells, int n)
{
	int i;

	bench_text_append(t, "|");
	for (i = 0; i < n; i++)
		cell(t, cells[i]);
	bench_text_append(t, "\n");
}

void bench_table_header(struct bench_text *t, const char *const *cells, int n)
{
	int i;

	bench_table_row(t, cells, n);
	bench_text_append(t, "|");
	for (i = 0; i < n; i++)
		bench_text_append(t, i == 0 ? " --- |" : " ---: |");
	bench_text_append(t, "\n");
}
