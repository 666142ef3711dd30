/* digest.c: parsing and checking digest strings; pure (hashing is sha256.c) (see digest.h). */
#include "engine/lib/digest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool eng_digest_valid(const char *text)
{
	const char *hex;

	if (text == NULL || strncmp(text, ENG_DIGEST_ALGO ":", sizeof(ENG_DIGEST_ALGO)) != 0)
		return false;
	hex = text + sizeof(ENG_DIGEST_ALGO);
	for (size_t i = 0; i < ENG_DIGEST_HEX_LEN; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	return hex[ENG_DIGEST_HEX_LEN] == '\0';
}

int eng_digest_parse(const char *text, const char *what, struct eng_digest *out,
		     struct isolab_error *err)
{
	if (!eng_digest_valid(text))
		return isolab_error_set(err, -EINVAL, "%s `%.80s`: not a sha256 digest "
					"(sha256: and 64 lowercase hex digits)", what,
					text ? text : "");
	snprintf(out->str, sizeof(out->str), "%s", text);
	return 0;
}

