/* table.c: number formatting and Markdown tables (see table.h). */
#include "bench/table.h"
#include "common/size.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bench_format_ns(double ns, char *buf, size_t size)
{
	if (ns < 0)
		snprintf(buf, size, "-");
	else if (ns < 1e3)
		snprintf(buf, size, "%.0f ns", ns);
	else if (ns < 1e4)
		snprintf(buf, size, "%.2f us", ns / 1e3);
	else if (ns < 1e6)
		snprintf(buf, size, "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, size, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, size, "%.2f s", ns / 1e9);
}

void bench_format_bytes(double bytes, char *buf, size_t size)
{
	if (bytes < 0)
		snprintf(buf, size, "-");
	else
		isolab_format_size((uint64_t)bytes, buf, size);
}

void bench_format_ratio(double ratio, char *buf, size_t size)
{
	if (ratio <= 0)
		snprintf(buf, size, "-");
	else if (ratio < 0.1)
		snprintf(buf, size, "%.3fx", ratio); /* small ratios keep two significant digits */
	else if (ratio < 10)
		snprintf(buf, size, "%.2fx", ratio);
	else
		snprintf(buf, size, "%.1fx", ratio);
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
