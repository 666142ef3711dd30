/*
 * test_registry.c: unit tests for the registry client's pure half
 * (engine/lib/registry_http.c): hosts, names, URLs, upload Locations,
 * response headers, error bodies. No network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/registry_http.h"

#define HEX_A "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
#define DIGEST_A "sha256:" HEX_A

static void feed(struct eng_registry_headers *h, const char *line)
{
	eng_registry_headers_feed(h, line, strlen(line));
}

/* ---- hosts ---- */

static void host_check_accepts_names_and_literals(void **state)
{
	static const char *good[] = { "localhost", "localhost:5000", "127.0.0.1:5000",
				      "registry.example.com", "registry.example.com:443",
				      "my-registry.local:1", "[::1]", "[::1]:5000",
				      "[2001:db8::1]:65535", "REGISTRY.Example.COM" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(eng_registry_host_check(good[i], NULL), 0);
}

static void host_check_refuses_what_is_not_a_host(void **state)
{
	static const char *bad[] = { "", "a/b", "user@host", "host:0", "host:65536", "host:",
				     "host:5000:1", "[::1", "[::1]x", "[zz::1]:5000", "[::1]:0",
				     "a..b", ".a", "a.", "-a.com", "a-.com", "http://x",
				     "host name", "host:50a", "host?x", "host#x", "ho_st" };
	struct isolab_error err = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(eng_registry_host_check(bad[i], NULL), -EINVAL);
	assert_int_equal(eng_registry_host_check("user@evil.example:5000", &err), -EINVAL);
	assert_string_equal(err.msg, "registry `user@evil.example:5000`: not a host[:port]");
}

static void host_is_local_only_for_loopback(void **state)
{
	static const char *local[] = { "localhost", "localhost:5000", "LOCALHOST:1",
				       "127.0.0.1", "127.0.0.1:5000", "127.1.2.3:80",
				       "127.255.255.255", "[::1]", "[::1]:5000",
				       "[0:0:0:0:0:0:0:1]:5000" };
	static const char *remote[] = { "localhost.example.com", "localhost.example.com:5000",
					"127.0.0.1.nip.io", "128.0.0.1", "126.0.0.1:5000",
					"127.1", "127.0.0.256", "[::2]:5000", "192.0.2.1:5000",
					"10.0.0.1", "mylocalhost", "", "user@127.0.0.1",
					"[::ffff:192.0.2.1]" };

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		assert_true(eng_registry_host_is_local(local[i]));
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		assert_false(eng_registry_host_is_local(remote[i]));
}

/* ---- names ---- */

static void repo_names_follow_the_spec(void **state)
{
	char long_ok[ENG_REGISTRY_REPO_MAX + 1];
	char too_long[ENG_REGISTRY_REPO_MAX + 2];
	static const char *good[] = { "app", "library/busybox", "a/b/c/d", "a.b", "a_b",
				      "a__b", "a-b", "a---b", "team1/app.v2_x-y" };
	static const char *bad[] = { "", "App", "a/", "/a", "a//b", "a___b", "a..b", "a._b",
				     "-a", "a-", "a_", "a.", "a b", "a:b", "a@b", "../a", "a/../b" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(eng_registry_repo_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(eng_registry_repo_valid(bad[i]));
	memset(long_ok, 'a', sizeof(long_ok) - 1);
	long_ok[sizeof(long_ok) - 1] = '\0';
	assert_true(eng_registry_repo_valid(long_ok));
	memset(too_long, 'a', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	assert_false(eng_registry_repo_valid(too_long));
	assert_false(eng_registry_repo_valid(NULL));
}

static void tags_and_references(void **state)
{
	char tag[ENG_REGISTRY_TAG_MAX + 2];

	assert_true(eng_registry_tag_valid("latest"));
	assert_true(eng_registry_tag_valid("_x"));
	assert_true(eng_registry_tag_valid("1.0-rc_1"));
	assert_false(eng_registry_tag_valid(".x"));
	assert_false(eng_registry_tag_valid("-x"));
	assert_false(eng_registry_tag_valid("a/b"));
	assert_false(eng_registry_tag_valid("a:b"));
	assert_false(eng_registry_tag_valid(""));
	memset(tag, 'a', ENG_REGISTRY_TAG_MAX);
	tag[ENG_REGISTRY_TAG_MAX] = '\0';
	assert_true(eng_registry_tag_valid(tag));
	tag[ENG_REGISTRY_TAG_MAX] = 'a';
	tag[ENG_REGISTRY_TAG_MAX + 1] = '\0';
	assert_false(eng_registry_tag_valid(tag));
	assert_true(eng_registry_reference_valid(DIGEST_A));
	assert_false(eng_registry_reference_valid("sha256:A3ED95"));
	assert_false(eng_registry_reference_valid("sha512:" HEX_A));
}

/* ---- URLs ---- */

static void url_for_manifests_blobs_and_uploads(void **state)
{
	struct isolab_error err = {0};
	char *url = NULL;

	assert_int_equal(eng_registry_url("http://[::1]:5000", "app", "manifests", "1.0", &url,
					  &err), 0);
	assert_string_equal(url, "http://[::1]:5000/v2/app/manifests/1.0");
	free(url);
	assert_int_equal(eng_registry_url("https://registry.example.com", "library/team/app",
					  "blobs", DIGEST_A, &url, &err), 0);
	assert_string_equal(url, "https://registry.example.com/v2/library/team/app/blobs/" DIGEST_A);
	free(url);
	assert_int_equal(eng_registry_url("http://127.0.0.1:5000", "a/b", "manifests", DIGEST_A,
					  &url, &err), 0);
	assert_string_equal(url, "http://127.0.0.1:5000/v2/a/b/manifests/" DIGEST_A);
	free(url);
	assert_int_equal(eng_registry_url("http://127.0.0.1:5000", "a/b", "blobs/uploads", NULL,
					  &url, &err), 0);
	assert_string_equal(url, "http://127.0.0.1:5000/v2/a/b/blobs/uploads/");
	free(url);
}

static void url_refuses_bad_names(void **state)
{
	struct isolab_error err = {0};
	char *url = (char *)1;

	assert_int_equal(eng_registry_url("http://h", "App/x", "manifests", "1", &url, &err),
			 -EINVAL);
	assert_null(url);
	assert_string_equal(err.msg, "repository `App/x`: not a repository name (lowercase "
			    "letters, digits, separators . _ __ - and /)");
	assert_int_equal(eng_registry_url("http://h", "app", "manifests", "../../v1", &url, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "reference `../../v1`: neither a tag nor a sha256 digest");
	assert_int_equal(eng_registry_url("http://h", "app", "blobs", "sha256:abc", &url, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "reference `sha256:abc`: neither a tag nor a sha256 digest");
	assert_int_equal(eng_registry_url("http://h", "app", "manifests", "a?b", &url, &err),
			 -EINVAL);
}

static void add_query_appends_and_encodes(void **state)
{
	struct isolab_error err = {0};
	char *url = NULL;

	assert_int_equal(eng_registry_url_add_query("http://h/v2/a/blobs/uploads/u", "digest",
						    DIGEST_A, &url, &err), 0);
	assert_string_equal(url, "http://h/v2/a/blobs/uploads/u?digest=sha256%3A" HEX_A);
	free(url);
	assert_int_equal(eng_registry_url_add_query("http://h/v2/a/blobs/uploads/u?_state=x%2By",
						    "digest", DIGEST_A, &url, &err), 0);
	assert_string_equal(url, "http://h/v2/a/blobs/uploads/u?_state=x%2By&digest=sha256%3A"
			    HEX_A);
	free(url);
	assert_int_equal(eng_registry_url_add_query("http://h/u?a=1#frag", "from", "a b&c/d~e",
						    &url, &err), 0);
	assert_string_equal(url, "http://h/u?a=1&from=a%20b%26c%2Fd~e");
	free(url);
}

/* ---- Location ---- */

static void expect_location(const char *location, const char *want)
{
	struct isolab_error err = {0};
	char *out = NULL;

	assert_int_equal(eng_registry_location_resolve("http://127.0.0.1:5000",
						       "http://127.0.0.1:5000/v2/a/b/blobs/uploads/",
						       location, &out, &err), 0);
	assert_string_equal(out, want);
	free(out);
}

static void expect_location_refused(const char *location, const char *msg)
{
	struct isolab_error err = {0};
	char *out = (char *)1;

	assert_int_equal(eng_registry_location_resolve("http://127.0.0.1:5000",
						       "http://127.0.0.1:5000/v2/a/blobs/uploads/",
						       location, &out, &err), -EPROTO);
	assert_null(out);
	assert_string_equal(err.msg, msg);
}

static void location_absolute_relative_and_path(void **state)
{
	expect_location("http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1?_state=x",
			"http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1?_state=x");
	expect_location("HTTP://127.0.0.1:5000/v2/u", "HTTP://127.0.0.1:5000/v2/u");
	expect_location("/v2/a/b/blobs/uploads/u2?_state=y",
			"http://127.0.0.1:5000/v2/a/b/blobs/uploads/u2?_state=y");
	expect_location("/v2/u3", "http://127.0.0.1:5000/v2/u3");
	expect_location("u4?x=1", "http://127.0.0.1:5000/v2/a/b/blobs/uploads/u4?x=1");
	expect_location("//127.0.0.1:5000/v2/u5", "http://127.0.0.1:5000/v2/u5");
	expect_location("/v2/u6#frag", "http://127.0.0.1:5000/v2/u6");
}

static void location_stays_on_the_registry(void **state)
{
	char *huge = malloc(ENG_REGISTRY_URL_MAX + 2);

	expect_location_refused("http://192.0.2.1/v2/x",
				"upload location `http://192.0.2.1/v2/x`: not on http://127.0.0.1:5000");
	expect_location_refused("http://127.0.0.1:5001/v2/x",
				"upload location `http://127.0.0.1:5001/v2/x`: not on http://127.0.0.1:5000");
	expect_location_refused("https://127.0.0.1:5000/v2/x",
				"upload location `https://127.0.0.1:5000/v2/x`: not on http://127.0.0.1:5000");
	expect_location_refused("http://127.0.0.1:5000@evil.example/x",
				"upload location `http://127.0.0.1:5000@evil.example/x`: not on "
				"http://127.0.0.1:5000");
	expect_location_refused("http://127.0.0.1:50000/x",
				"upload location `http://127.0.0.1:50000/x`: not on http://127.0.0.1:5000");
	expect_location_refused("//evil.example/x",
				"upload location `//evil.example/x`: not on http://127.0.0.1:5000");
	expect_location_refused("javascript:alert(1)",
				"upload location `javascript:alert(1)`: not on http://127.0.0.1:5000");
	expect_location_refused("/v2/a b", "upload location `/v2/a b`: not a URL");
	expect_location_refused("/v2/a\r\nX-Evil: 1", "upload location `/v2/a??X-Evil: 1`: not a URL");
	expect_location_refused("\\\\evil.example\\x", "upload location `\\\\evil.example\\x`: not a URL");
	expect_location_refused("", "upload location: empty");
	assert_non_null(huge);
	memset(huge, 'a', ENG_REGISTRY_URL_MAX + 1);
	huge[ENG_REGISTRY_URL_MAX + 1] = '\0';
	expect_location_refused(huge, "upload location: longer than 4096 bytes");
	free(huge);
}

/* ---- headers ---- */

static void headers_of_a_response(void **state)
{
	struct eng_registry_headers h;

	eng_registry_headers_reset(&h);
	feed(&h, "HTTP/1.1 202 Accepted\r\n");
	feed(&h, "location: /v2/a/blobs/uploads/u?_state=1\r\n");
	feed(&h, "DOCKER-CONTENT-DIGEST:  " DIGEST_A " \r\n");
	feed(&h, "Content-Type: application/vnd.oci.image.manifest.v1+json; charset=utf-8\r\n");
	feed(&h, "Content-Length: 1234\r\n");
	feed(&h, "OCI-Chunk-Min-Length: 5242880\r\n");
	feed(&h, "Range: 0-1023\r\n");
	assert_false(h.complete);
	feed(&h, "\r\n");
	assert_true(h.complete);
	assert_int_equal(h.status, 202);
	assert_string_equal(h.reason, "Accepted");
	assert_true(h.has_location);
	assert_false(h.location_bad);
	assert_string_equal(h.location, "/v2/a/blobs/uploads/u?_state=1");
	assert_true(h.has_content_digest);
	assert_string_equal(h.content_digest, DIGEST_A);
	assert_string_equal(h.content_type, "application/vnd.oci.image.manifest.v1+json");
	assert_true(h.has_content_length);
	assert_int_equal(h.content_length, 1234);
	assert_true(h.has_chunk_min);
	assert_int_equal(h.chunk_min, 5242880);
	assert_string_equal(h.range, "0-1023");
}

static void headers_reset_at_each_status_line(void **state)
{
	struct eng_registry_headers h;

	eng_registry_headers_reset(&h);
	feed(&h, "HTTP/1.1 307 Temporary Redirect\r\n");
	feed(&h, "Location: https://cdn.example/blob\r\n");
	feed(&h, "Content-Length: 9\r\n");
	feed(&h, "\r\n");
	feed(&h, "HTTP/2 200\r\n");
	assert_int_equal(h.status, 200);
	assert_string_equal(h.reason, "");
	assert_false(h.has_location);
	assert_false(h.has_content_length);
	assert_false(h.complete);
}

static void headers_hostile_values(void **state)
{
	struct eng_registry_headers h;
	char big[ENG_REGISTRY_URL_MAX + 32];

	eng_registry_headers_reset(&h);
	feed(&h, "HTTP/1.1 2000 Huh\r\n");
	assert_int_equal(h.status, 0);
	feed(&h, "HTTP/1.1 20x OK\r\n");
	assert_int_equal(h.status, 0);
	feed(&h, "HTTP/1.1 404 Not\x01" "Found\r\n");
	assert_int_equal(h.status, 404);
	assert_string_equal(h.reason, "");
	feed(&h, "Content-Length: 99999999999999999999999\r\n");
	assert_false(h.has_content_length);
	feed(&h, "Content-Length: -1\r\n");
	assert_false(h.has_content_length);
	feed(&h, "Content-Length: 12 34\r\n");
	assert_false(h.has_content_length);
	feed(&h, "OCI-Chunk-Min-Length: 0x10\r\n");
	assert_false(h.has_chunk_min);
	eng_registry_headers_feed(&h, "Location: /v2/a\0b\r\n", 19);
	assert_true(h.has_location);
	assert_true(h.location_bad);
	snprintf(big, sizeof(big), "Location: /");
	memset(big + 11, 'a', sizeof(big) - 12);
	big[sizeof(big) - 1] = '\0';
	feed(&h, "Location: /ok\r\n");
	assert_false(h.location_bad);
	feed(&h, big);
	assert_true(h.location_bad);
	assert_string_equal(h.location, "");
	feed(&h, "Content-Type: text/html\"<script>\r\n");
	assert_string_equal(h.content_type, "");
	feed(&h, "No colon here\r\n");
	feed(&h, " folded: continuation\r\n");
	feed(&h, "Location\r\n");
	assert_true(h.location_bad);
	eng_registry_headers_feed(&h, "", 0);
	assert_true(h.complete);
}

static void parse_u64_is_strict(void **state)
{
	uint64_t v = 0;

	assert_true(eng_registry_parse_u64("0", 1, &v));
	assert_int_equal(v, 0);
	assert_true(eng_registry_parse_u64("18446744073709551615", 20, &v));
	assert_true(v == UINT64_MAX);
	assert_false(eng_registry_parse_u64("18446744073709551616", 20, &v));
	assert_false(eng_registry_parse_u64("", 0, &v));
	assert_false(eng_registry_parse_u64("+1", 2, &v));
	assert_false(eng_registry_parse_u64("1 ", 2, &v));
}

/* ---- error bodies ---- */

static void expect_summary(const char *body, const char *want)
{
	char out[300];

	eng_registry_error_summary(body, strlen(body), out, sizeof(out));
	assert_string_equal(out, want);
}

static void error_summary_of_bodies(void **state)
{
	char small[8];

	expect_summary("{\"errors\":[{\"code\":\"MANIFEST_INVALID\",\"message\":\"manifest invalid\","
		       "\"detail\":{\"x\":1}},{\"code\":\"SECOND\",\"message\":\"no\"}]}",
		       "MANIFEST_INVALID: manifest invalid");
	expect_summary("{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}", "BLOB_UNKNOWN");
	expect_summary("{\"errors\":[{\"code\":7,\"message\":\"only the message\"}]}",
		       "only the message");
	expect_summary("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"a\\u0001b\\nc\\u00e9\"}]}",
		       "DENIED: a?b?c??");
	expect_summary("", "");
	expect_summary("404 page not found\n", "");
	expect_summary("{\"errors\":{\"code\":\"X\"}}", "");
	expect_summary("{\"errors\":[]}", "");
	expect_summary("{\"errors\":[\"X\"]}", "");
	expect_summary("{\"errors\":[{\"code\":\"\",\"message\":\"\"}]}", "");
	expect_summary("[1,2]", "");
	expect_summary("{\"errors\":[{\"code\":\"X\",\"message\":\"m\"}]", "");  /* cut short */
	expect_summary("{\"errors\":[{\"code\":\"X\"}]}trailing", "X");
	eng_registry_error_summary(NULL, 5, small, sizeof(small));
	assert_string_equal(small, "");
	/* the output buffer bounds what is written */
	eng_registry_error_summary("{\"errors\":[{\"code\":\"ABCDEFGHIJ\"}]}", 34, small,
				   sizeof(small));
	assert_string_equal(small, "ABCDEFG");
}

static void error_summary_cuts_long_fields(void **state)
{
	char body[1024];
	char out[400];
	char want[300];

	snprintf(body, sizeof(body), "{\"errors\":[{\"code\":\"%0100d\",\"message\":\"%0300d\"}]}",
		 0, 0);
	eng_registry_error_summary(body, strlen(body), out, sizeof(out));
	memset(want, '0', 64);
	memcpy(want + 64, ": ", 2);
	memset(want + 66, '0', 200);
	want[266] = '\0';
	assert_string_equal(out, want);
}

static void error_summary_ignores_huge_bodies(void **state)
{
	size_t len = ENG_REGISTRY_ERRBODY_MAX + 1;
	char *body = malloc(len + 1);
	static const char head[] = "{\"errors\":[{\"code\":\"X\"}],\"pad\":\"";
	char out[64];

	assert_non_null(body);
	memset(body, 'p', len);
	memcpy(body, head, sizeof(head) - 1);
	memcpy(body + len - 2, "\"}", 2);
	body[len] = '\0';
	eng_registry_error_summary(body, len, out, sizeof(out));
	assert_string_equal(out, "");
	/* one byte less (the same JSON shape) is parsed */
	memcpy(body + len - 3, "\"}", 2);
	eng_registry_error_summary(body, len - 1, out, sizeof(out));
	assert_string_equal(out, "X");
	free(body);
}

static void error_summary_deep_nesting(void **state)
{
	size_t depth = 5000;
	char *body = malloc(depth * 2 + 1);
	char out[32];

	assert_non_null(body);
	memset(body, '[', depth);
	memset(body + depth, ']', depth);
	body[depth * 2] = '\0';
	eng_registry_error_summary(body, depth * 2, out, sizeof(out));
	assert_string_equal(out, "");
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(host_check_accepts_names_and_literals),
		cmocka_unit_test(host_check_refuses_what_is_not_a_host),
		cmocka_unit_test(host_is_local_only_for_loopback),
		cmocka_unit_test(repo_names_follow_the_spec),
		cmocka_unit_test(tags_and_references),
		cmocka_unit_test(url_for_manifests_blobs_and_uploads),
		cmocka_unit_test(url_refuses_bad_names),
		cmocka_unit_test(add_query_appends_and_encodes),
		cmocka_unit_test(location_absolute_relative_and_path),
		cmocka_unit_test(location_stays_on_the_registry),
		cmocka_unit_test(headers_of_a_response),
		cmocka_unit_test(headers_reset_at_each_status_line),
		cmocka_unit_test(headers_hostile_values),
		cmocka_unit_test(parse_u64_is_strict),
		cmocka_unit_test(error_summary_of_bodies),
		cmocka_unit_test(error_summary_cuts_long_fields),
		cmocka_unit_test(error_summary_ignores_huge_bodies),
		cmocka_unit_test(error_summary_deep_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
