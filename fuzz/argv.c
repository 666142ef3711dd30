/* argv.c: turns a fuzz input into an argv for the command-line parsers (see fuzz.h). */
#include "fuzz/fuzz.h"

#include <string.h>

int fuzz_argv_init(struct fuzz_argv *a, const char *prog, const uint8_t *data, size_t size)
{
	memset(a, 0, sizeof(*a));
	a->buf = malloc(size + 1);
	if (a->buf == NULL)
		return -1;
	memcpy(a->buf, data, size);
	a->buf[size] = '\0';
	/* The parsers may permute argv (getopt) but never write the strings. */
	a->argv[a->argc++] = (char *)prog;
	for (char *p = a->buf; p < a->buf + size && a->argc <= FUZZ_MAX_ARGS; p += strlen(p) + 1)
		a->argv[a->argc++] = p;
	a->argv[a->argc] = NULL;
	return 0;
}

void fuzz_argv_free(struct fuzz_argv *a)
{
	free(a->buf);
	a->buf = NULL;
}
