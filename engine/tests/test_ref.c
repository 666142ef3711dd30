/* test_ref.c: unit tests for engine/lib/ref.c (image references, Docker's grammar). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/ref.h"

#define DIGEST_A "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Parses text (which must be accepted) and checks every part. */
static void check_ref(const char *text, const char *registry, const char *repository,
		      const char *tag, const char *digest, const char *formatted)
{
	struct isolab_error err = { 0 };
	struct eng_ref r;
	char buf[ENG_REF_STR_MAX];

	if (eng_ref_parse(text, &r, &err) != 0)
		fail_msg("`%s` refused: %s", text, err.msg);
	if (registry == NULL)
		assert_null(r.registry);
	else
		assert_string_equal(r.registry, registry);
	assert_string_equal(r.repository, repository);
	if (tag == NULL)
		assert_null(r.tag);
	else
		assert_string_equal(r.tag, tag);
	assert_int_equal(r.has_digest, digest != NULL);
	if (digest != NULL)
		assert_string_equal(r.digest.str, digest);
	assert_int_equal(eng_ref_format(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, formatted);
	eng_ref_free(&r);
	assert_null(r.repository);
}

static void ref_accepts_docker_forms(void **state)
{
	check_ref("app", NULL, "app", NULL, NULL, "app:latest");
	check_ref("app:1", NULL, "app", "1", NULL, "app:1");
	check_ref("library/app:1.2-rc_3", NULL, "library/app", "1.2-rc_3", NULL,
		  "library/app:1.2-rc_3");
	check_ref("localhost/app", "localhost", "app", NULL, NULL, "localhost/app:latest");
	check_ref("localhost:5000/team/app:v2", "localhost:5000", "team/app", "v2", NULL,
		  "localhost:5000/team/app:v2");
	check_ref("registry.example.com/a/b/c", "registry.example.com", "a/b/c", NULL, NULL,
		  "registry.example.com/a/b/c:latest");
	check_ref("Registry.Example.com/app", "Registry.Example.com", "app", NULL, NULL,
		  "Registry.Example.com/app:latest");
	check_ref("10.0.2.2:5000/app", "10.0.2.2:5000", "app", NULL, NULL,
		  "10.0.2.2:5000/app:latest");
	check_ref("[::1]:5000/app:1", "[::1]:5000", "app", "1", NULL, "[::1]:5000/app:1");
	check_ref("[fe80::1]/app", "[fe80::1]", "app", NULL, NULL, "[fe80::1]/app:latest");
	check_ref("app@" DIGEST_A, NULL, "app", NULL, DIGEST_A, "app@" DIGEST_A);
	check_ref("localhost:5000/app:1@" DIGEST_A, "localhost:5000", "app", "1", DIGEST_A,
		  "localhost:5000/app:1@" DIGEST_A);
	/* separators: '.', '_', '__', any run of '-' */
	check_ref("a.b_c__d---e", NULL, "a.b_c__d---e", NULL, NULL, "a.b_c__d---e:latest");
	/* no '.', ':' and not localhost: the first component is a path, not a registry */
	check_ref("team/app", NULL, "team/app", NULL, NULL, "team/app:latest");
	check_ref("localhostx/app", NULL, "localhostx/app", NULL, NULL, "localhostx/app:latest");
	/* without a '/', "localhost:5000" is the name localhost with tag 5000 */
	check_ref("localhost:5000", NULL, "localhost", "5000", NULL, "localhost:5000");
	/* a tag of 128 characters, the most */
	{
		char text[4 + 129];

		memcpy(text, "app:", 4);
		memset(text + 4, 'x', 128);
		text[4 + 128] = '\0';
		check_ref(text, NULL, "app", text + 4, NULL, text);
	}
}

static void check_refused(const char *text, const char *message)
{
	struct isolab_error err = { 0 };
	struct eng_ref r;

	if (eng_ref_parse(text, &r, &err) != -EINVAL)
		fail_msg("`%s` accepted", text);
	assert_string_equal(err.msg, message);
	assert_null(r.repository);
	assert_null(r.registry);
	assert_null(r.tag);
}

static void ref_refuses_with_reasons(void **state)
{
	check_refused("", "reference ``: empty");
	check_refused("App", "reference `App`: repository name must be lowercase");
	check_refused("team/App:1", "reference `team/App:1`: repository name must be lowercase");
	check_refused("Team/app", "reference `Team/app`: repository name must be lowercase");
	check_refused("app:", "reference `app:`: empty tag");
	check_refused(":1", "reference `:1`: empty name");
	check_refused("app:-1", "reference `app:-1`: invalid tag (letters, digits, '_', '.', "
		      "'-'; at most 128, not starting with '.' or '-')");
	/* "app:a" has a ':', so it is a registry, whose port is not a number */
	check_refused("app:a/b", "reference `app:a/b`: registry port is not a number in 1..65535");
	check_refused("app_", "reference `app_`: invalid repository name (components are "
		      "lowercase letters and digits, separated by '.', '_', '__', '-' or '/')");
	check_refused("a___b", "reference `a___b`: invalid repository name (components are "
		      "lowercase letters and digits, separated by '.', '_', '__', '-' or '/')");
	check_refused("a//b", "reference `a//b`: invalid repository name (components are "
		      "lowercase letters and digits, separated by '.', '_', '__', '-' or '/')");
	check_refused("app/", "reference `app/`: invalid repository name (components are "
		      "lowercase letters and digits, separated by '.', '_', '__', '-' or '/')");
	check_refused("localhost:0/app", "reference `localhost:0/app`: registry port is not a "
		      "number in 1..65535");
	check_refused("localhost:65536/app", "reference `localhost:65536/app`: registry port is "
		      "not a number in 1..65535");
	check_refused("localhost:/app", "reference `localhost:/app`: registry port is not a "
		      "number in 1..65535");
	check_refused("host:ab/app", "reference `host:ab/app`: registry port is not a number "
		      "in 1..65535");
	check_refused("-bad.com/app", "reference `-bad.com/app`: invalid registry host name");
	check_refused("a..b/app", "reference `a..b/app`: invalid registry host name");
	check_refused("[::g]/app", "reference `[::g]/app`: invalid IPv6 registry address");
	check_refused("[]:5000/app", "reference `[]:5000/app`: invalid IPv6 registry address");
	check_refused("[::1]x/app", "reference `[::1]x/app`: invalid registry address");
	check_refused("app@sha256:abc", "reference `app@sha256:abc`: invalid digest (sha256: "
		      "and 64 lowercase hex digits)");
	check_refused("app@sha512:abc", "reference `app@sha512:abc`: only sha256 digests are "
		      "supported");
	check_refused("app@", "reference `app@`: invalid digest (sha256: and 64 lowercase hex "
		      "digits)");
	check_refused("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		      "reference `0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		      "`: a repository name cannot be 64 hexadecimal digits (that is an image ID)");
	check_refused("a b", "reference `a b`: invalid repository name (components are "
		      "lowercase letters and digits, separated by '.', '_', '__', '-' or '/')");
}

static void ref_bounds_lengths(void **state)
{
	struct isolab_error err = { 0 };
	char name[300], text[700], expect[64];
	struct eng_ref r;

	/* 255 characters of name is the most: "a/a/a/.../a" */
	for (size_t i = 0; i < 255; i++)
		name[i] = i % 2 ? '/' : 'a';
	name[255] = '\0';
	assert_int_equal(eng_ref_parse(name, &r, &err), 0);
	eng_ref_free(&r);
	name[255] = 'b';
	name[256] = '\0';
	snprintf(text, sizeof(text), "reference `%s`: name longer than 255 characters", name);
	check_refused(name, text);
	/* a tag of 129 */
	memcpy(text, "app:", 4);
	memset(text + 4, 't', 129);
	text[4 + 129] = '\0';
	assert_int_equal(eng_ref_parse(text, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "invalid tag"));
	/* far too long a text is cut in the message */
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(eng_ref_parse(text, &r, &err), -EINVAL);
	snprintf(expect, sizeof(expect), "...`: longer than %zu characters", ENG_REF_STR_MAX - 1);
	assert_non_null(strstr(err.msg, expect));
	assert_int_equal(strlen(err.msg), strlen("reference `") + 64 + strlen(expect));
	/* the longest text accepted: name 255, tag 128, digest */
	memset(text, 0, sizeof(text));
	for (size_t i = 0; i < 255; i++)
		text[i] = i % 2 ? '/' : 'a';
	text[255] = ':';
	memset(text + 256, 't', 128);
	memcpy(text + 384, "@" DIGEST_A, strlen("@" DIGEST_A) + 1);
	assert_int_equal(strlen(text), ENG_REF_STR_MAX - 1);
	assert_int_equal(eng_ref_parse(text, &r, &err), 0);
	assert_int_equal(eng_ref_format(&r, name, sizeof(name)), -ENAMETOOLONG);
	{
		char buf[ENG_REF_STR_MAX];

		assert_int_equal(eng_ref_format(&r, buf, sizeof(buf)), 0);
		assert_string_equal(buf, text);
	}
	eng_ref_free(&r);
}

static void ref_formats_variants(void **state)
{
	struct isolab_error err = { 0 };
	char buf[ENG_REF_STR_MAX], small[8];
	struct eng_ref r;

	assert_int_equal(eng_ref_parse("localhost:5000/team/app", &r, &err), 0);
	assert_int_equal(eng_ref_format_local(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "team/app:latest");
	assert_int_equal(eng_ref_format_name(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "localhost:5000/team/app");
	assert_string_equal(eng_ref_tag_or_default(&r), "latest");
	assert_int_equal(eng_ref_format(&r, small, sizeof(small)), -ENAMETOOLONG);
	assert_string_equal(small, "");
	eng_ref_free(&r);

	assert_int_equal(eng_ref_parse("app@" DIGEST_A, &r, &err), 0);
	assert_int_equal(eng_ref_format_local(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "app@" DIGEST_A);
	assert_int_equal(eng_ref_format_name(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "app");
	eng_ref_free(&r);
	eng_ref_free(NULL);
}

static void ref_tag_and_id_prefix(void **state)
{
	assert_true(eng_ref_tag_valid("latest"));
	assert_true(eng_ref_tag_valid("_x.Y-1"));
	assert_false(eng_ref_tag_valid(""));
	assert_false(eng_ref_tag_valid(".x"));
	assert_false(eng_ref_tag_valid("a:b"));
	assert_false(eng_ref_tag_valid(NULL));

	assert_true(eng_ref_is_id_prefix("3f2a"));
	assert_true(eng_ref_is_id_prefix("0123456789abcdef0123456789abcdef0123456789abcdef"
					 "0123456789abcdef"));
	assert_true(eng_ref_is_id_prefix("sha256:3f2a9c"));
	assert_true(eng_ref_is_id_prefix(DIGEST_A));
	assert_false(eng_ref_is_id_prefix("3f2"));          /* too short */
	assert_false(eng_ref_is_id_prefix("3F2A"));         /* upper case */
	assert_false(eng_ref_is_id_prefix("3f2g"));
	assert_false(eng_ref_is_id_prefix("sha256:"));
	assert_false(eng_ref_is_id_prefix("sha512:3f2a"));
	assert_false(eng_ref_is_id_prefix(DIGEST_A "0")); /* 65 digits */
	assert_false(eng_ref_is_id_prefix(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ref_accepts_docker_forms),
		cmocka_unit_test(ref_refuses_with_reasons),
		cmocka_unit_test(ref_bounds_lengths),
		cmocka_unit_test(ref_formats_variants),
		cmocka_unit_test(ref_tag_and_id_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
