/* procfs.c: "Name: N kB" fields of procfs text (see procfs.h). */
#include "common/procfs.h"

#include <stdlib.h>
#include <string.h>

long long isolab_procfs_field(const char *text, const char *field)
{
	size_t flen = strlen(field);
	const char *p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, field, flen) == 0 && p[flen] == ':') {
			char *end;
			long long v = strtoll(p + flen + 1, &end, 10);

			if (end == p + flen + 1)
				return -1;
			while (*end == ' ')
				end++;
			return strncmp(end, "kB", 2) == 0 ? v * 1024 : v;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}
