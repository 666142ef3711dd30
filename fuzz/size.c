/*
 * size.c: libFuzzer target for common/size.c, the size and integer
 * parsing every command line uses ("--mem 128M", "--pids 64"). Checks
 * that a plain number means the same to both parsers and that a size
 * with a suffix is an exact multiple of its unit.
 */
#include "fuzz/fuzz.h"

#include <ctype.h>
#include <string.h>
#include "common/size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isolab_error err = { 0 };
	uint64_t as_size = 0, as_uint = 0;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	int size_rc = isolab_parse_size(text, "--mem", &as_size, &err);
	int uint_rc = isolab_parse_uint(text, "--pids", UINT64_MAX, &as_uint, &err);
	/* a plain number is the same to both, up to the sizes' 1 PiB cap */
	if (uint_rc == 0 && as_uint <= ISOLAB_SIZE_MAX)
		FUZZ_ASSERT(size_rc == 0 && as_size == as_uint);
	if (size_rc == 0)
		FUZZ_ASSERT(as_size <= ISOLAB_SIZE_MAX);
	if (size_rc == 0) {
		size_t n = strlen(text);
		char unit = n ? (char)tolower((unsigned char)text[n - 1]) : 0;
		if (unit == 'i' || unit == 'b')
			unit = n > 1 ? (char)tolower((unsigned char)text[n - 2]) : 0;
		if (unit == 'i')
			unit = n > 2 ? (char)tolower((unsigned char)text[n - 3]) : 0;
		if (unit == 'k')
			FUZZ_ASSERT(as_size % 1024 == 0);
		if (unit == 'm')
			FUZZ_ASSERT(as_size % (1ull << 20) == 0);
	}
	if (isolab_parse_uint(text, "--cpus", 64, &as_uint, &err) == 0)
		FUZZ_ASSERT(as_uint <= 64);
	free(text);
	return 0;
}
