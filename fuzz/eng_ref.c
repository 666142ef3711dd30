/*
 * eng_ref.c: libFuzzer target for the engine's image references
 * (engine/lib/ref.c), which read what a user types and what a registry
 * or an OCI layout's index.json names. The input is the reference text.
 * An accepted reference must format back into a reference that parses
 * to the same parts and formats the same (a fixed point), inside
 * ENG_REF_STR_MAX; a refusal must say "reference `...`: why".
 */
#include "fuzz/fuzz.h"

#include <string.h>
#include "engine/lib/ref.h"

static bool same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isolab_error err = { 0 };
	char buf[ENG_REF_STR_MAX], again[ENG_REF_STR_MAX], name[ENG_REF_STR_MAX];
	struct eng_ref r, back;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)eng_ref_is_id_prefix(text);
	(void)eng_ref_tag_valid(text);
	if (eng_ref_parse(text, &r, &err) != 0) {
		FUZZ_ASSERT(strncmp(err.msg, "reference `", 11) == 0 && r.repository == NULL);
		free(text);
		return 0;
	}
	FUZZ_ASSERT(r.repository != NULL && r.repository[0] != '\0');
	FUZZ_ASSERT(r.tag == NULL || eng_ref_tag_valid(r.tag));
	FUZZ_ASSERT(!r.has_digest || eng_digest_valid(r.digest.str));
	FUZZ_ASSERT(eng_ref_format(&r, buf, sizeof(buf)) == 0);
	FUZZ_ASSERT(eng_ref_format_local(&r, again, sizeof(again)) == 0);
	FUZZ_ASSERT(eng_ref_format_name(&r, name, sizeof(name)) == 0);
	FUZZ_ASSERT(strlen(name) <= ENG_REF_NAME_MAX);
	/* the formatted text reads back as the same reference (with its tag made explicit) */
	FUZZ_ASSERT(eng_ref_parse(buf, &back, &err) == 0);
	FUZZ_ASSERT(same(back.registry, r.registry) && same(back.repository, r.repository));
	FUZZ_ASSERT(back.has_digest == r.has_digest &&
		    (!r.has_digest || strcmp(back.digest.str, r.digest.str) == 0));
	FUZZ_ASSERT(strcmp(eng_ref_tag_or_default(&back), eng_ref_tag_or_default(&r)) == 0);
	FUZZ_ASSERT(eng_ref_format(&back, again, sizeof(again)) == 0 && strcmp(again, buf) == 0);
	eng_ref_free(&back);
	eng_ref_free(&r);
	free(text);
	return 0;
}
