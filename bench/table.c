/* table.c: number formatting and Markdown tables (see table.h). */
#include "bench/table.h"
#include "common/size.h"

#include <stdarg.h>
#include <stdbool.h>
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

void bench_table_header_left(struct bench_text *t, const char *const *cells, int n, int left)
{
	int i;

	bench_table_row(t, cells, n);
	bench_text_append(t, "|");
	for (i = 0; i < n; i++)
		bench_text_append(t, i < left ? " --- |" : " ---: |");
	bench_text_append(t, "\n");
}

void bench_table_header(struct bench_text *t, const char *const *cells, int n)
{
	bench_table_header_left(t, cells, n, 1);
}

const char *bench_env_words(const char *name)
{
	if (strcmp(name, "lab") == 0)
		return "the lab (KVM nested in QEMU TCG)";
	if (strcmp(name, "native-kvm") == 0)
		return "native KVM";
	if (strcmp(name, "host-nokvm") == 0)
		return "a host without KVM";
	return name;
}

/* Whether entry[key] is a figure: a summary object with samples, or a non-empty array. */
static bool has_figure(const cJSON *entry, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, key);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(v, "n");

	if (cJSON_IsArray(v))
		return cJSON_GetArraySize(v) > 0;
	if (cJSON_IsNumber(v))
		return true;
	return cJSON_IsNumber(n) && n->valuedouble > 0;
}

/* Why entry has no figure, cut short, into buf. */
static void why_not(const cJSON *entry, char *buf, size_t size)
{
	const cJSON *note = cJSON_GetObjectItemCaseSensitive(entry, "note");
	const cJSON *last = cJSON_GetObjectItemCaseSensitive(entry, "last_error");
	const char *text = "no figure";
	size_t n;

	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(entry, "available")) &&
	    cJSON_IsString(note) && note->valuestring[0] != '\0')
		text = note->valuestring;
	else if (cJSON_IsString(last) && last->valuestring[0] != '\0')
		text = "failed"; /* its own report has the error */
	n = strcspn(text, ":");
	if (strstr(text, " (") != NULL && (size_t)(strstr(text, " (") - text) < n)
		n = (size_t)(strstr(text, " (") - text);
	snprintf(buf, size, "%.*s", (int)(n < 60 ? n : 60), text);
}

void bench_format_not_measured(const cJSON *systems, const char *key, char *buf, size_t size)
{
	const cJSON *s, *o;
	size_t len = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(s, systems) {
		char why[64], other[64];
		bool seen = false;
		int names = 0;

		if (has_figure(s, key))
			continue;
		why_not(s, why, sizeof(why));
		/* once per reason, at its first system: every system with that reason */
		for (o = systems->child; o != s && !seen; o = o->next) {
			if (has_figure(o, key))
				continue;
			why_not(o, other, sizeof(other));
			seen = strcmp(why, other) == 0;
		}
		if (seen)
			continue;
		for (o = s; o != NULL && len < size; o = o->next) {
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");

			if (has_figure(o, key))
				continue;
			why_not(o, other, sizeof(other));
			if (strcmp(why, other) != 0)
				continue;
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						names++ ? ", " : len ? "; " : "not measured: ",
						cJSON_IsString(name) ? name->valuestring : "?");
		}
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, " (%s)", why);
	}
}
