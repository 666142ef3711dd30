/* size.c: size and integer parsing for command lines (see size.h). */
#include "common/size.h"

#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_digits(const char *text, uint64_t *value, const char **end)
{
	uint64_t v = 0;
	const char *p = text;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		v = v * 10 + digit;
	}
	*value = v;
	*end = p;
	return 0;
}

int isolab_parse_uint(const char *text, const char *what, uint64_t max,
		      uint64_t *value, struct isolab_error *err)
{
	const char *end;
	uint64_t v;

	if (text == NULL || parse_digits(text, &v, &end) < 0 || *end != '\0')
		return isolab_error_set(err, -EINVAL, "%s `%s`: not a non-negative integer",
					what, text ? text : "");
	if (v > max)
		return isolab_error_set(err, -EINVAL, "%s `%s`: larger than %llu",
					what, text, (unsigned long long)max);
	*value = v;
	return 0;
}

static int suffix_shift(const char *s, unsigned *shift)
{
	static const char units[] = "kmgt";
	const char *u;

	if (*s == '\0') {
		*shift = 0;
		return 0;
	}
	if (*s == 'b' || *s == 'B') {
		*shift = 0;
		return s[1] == '\0' ? 0 : -EINVAL;
	}
	u = strchr(units, tolower((unsigned char)*s));
	if (u == NULL)
		return -EINVAL;
	*shift = 10u * (unsigned)(u - units + 1);
	s++;
	if (*s == 'i' || *s == 'I')
		s++;
	if (*s == 'b' || *s == 'B')
		s++;
	return *s == '\0' ? 0 : -EINVAL;
}

int isolab_parse_size(const char *text, const char *what, uint64_t *bytes,
		      struct isolab_error *err)
{
	const char *end;
	unsigned shift;
	uint64_t v;
	int rc;

	if (text == NULL)
		return isolab_error_set(err, -EINVAL, "%s: missing size", what);
	rc = parse_digits(text, &v, &end);
	if (rc == -ERANGE)
		return isolab_error_set(err, -EINVAL, "%s `%s`: too large (at most 1024T)",
					what, text);
	if (rc < 0 || suffix_shift(end, &shift) < 0)
		return isolab_error_set(err, -EINVAL,
					"%s `%s`: not a size (use e.g. 512K, 128M, 2G)",
					what, text);
	/* Checked before the shift, so it cannot overflow: v << shift is at
	 * most ISOLAB_SIZE_MAX exactly when v is at most the shifted maximum. */
	if (v > (ISOLAB_SIZE_MAX >> shift))
		return isolab_error_set(err, -EINVAL, "%s `%s`: too large (at most 1024T)",
					what, text);
	*bytes = v << shift;
	return 0;
}

void isolab_format_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0]))
		v /= 1024, u++;
	if (u == 0)
		snprintf(buf, size, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, size, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}
