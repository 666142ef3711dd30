/* accounts.c: /etc/passwd and /etc/group lines (see accounts.h). */
#include "common/accounts.h"

#include <string.h>

long isolab_account_id(const char *s, size_t len)
{
	unsigned long v = 0;

	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v > ISOLAB_ACCOUNT_ID_MAX ? -1 : (long)v;
}

/* Field idx (0-based, ':'-separated) of line[0..len). */
static bool line_field(const char *line, size_t len, int idx, const char **f, size_t *flen)
{
	const char *end = line + len, *p = line, *colon;

	for (int i = 0; i < idx; i++) {
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon == NULL)
			return false;
		p = colon + 1;
	}
	colon = memchr(p, ':', (size_t)(end - p));
	*f = p;
	*flen = colon ? (size_t)(colon - p) : (size_t)(end - p);
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next line of *cursor, trimmed; false at the end of the text. */
static bool next_line(const char **cursor, const char **l, size_t *len)
{
	const char *line = *cursor, *nl;

	if (line == NULL || *line == '\0')
		return false;
	nl = strchr(line, '\n');
	*len = nl ? (size_t)(nl - line) : strlen(line);
	*l = line;
	while (*len > 0 && is_space(**l))
		(*l)++, (*len)--;
	while (*len > 0 && is_space((*l)[*len - 1]))
		(*len)--;
	*cursor = nl ? nl + 1 : NULL;
	return true;
}

bool isolab_accounts_find(const char *text, const char *name, size_t name_len, long id,
			  int id_field, long *first, long *second)
{
	const char *cursor = text, *l, *f;
	size_t len, flen;

	while (next_line(&cursor, &l, &len)) {
		long a, b = 0;

		if (!line_field(l, len, id_field, &f, &flen) || (a = isolab_account_id(f, flen)) < 0)
			continue;
		if (second != NULL && (!line_field(l, len, id_field + 1, &f, &flen) ||
				       (b = isolab_account_id(f, flen)) < 0))
			continue;
		if (id >= 0 ? a != id
			    : !line_field(l, len, 0, &f, &flen) || flen != name_len ||
				      memcmp(f, name, name_len) != 0)
			continue;
		*first = a;
		if (second != NULL)
			*second = b;
		return true;
	}
	return false;
}

bool isolab_accounts_name(const char *text, long id, char *buf, size_t len)
{
	const char *cursor = text, *l, *f;
	size_t n, flen;

	while (next_line(&cursor, &l, &n)) {
		if (!line_field(l, n, 2, &f, &flen) || isolab_account_id(f, flen) != id)
			continue;
		line_field(l, n, 0, &f, &flen);
		if (flen == 0 || flen >= len)
			return false;
		memcpy(buf, f, flen);
		buf[flen] = '\0';
		return true;
	}
	return false;
}
