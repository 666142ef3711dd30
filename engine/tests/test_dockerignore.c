/* test_dockerignore.c: unit tests for engine/lib/dockerignore.c (.dockerignore patterns). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/dockerignore.h"

static struct eng_ignore *parse_ok(const char *text)
{
	struct isolab_error err = { 0 };
	struct eng_ignore *ig = NULL;

	if (eng_ignore_parse(text, strlen(text), &ig, &err) != 0)
		fail_msg("refused: %s\n--- input:\n%s", err.msg, text);
	assert_non_null(ig);
	return ig;
}

static void parse_fails(const char *text, size_t len, const char *msg)
{
	struct isolab_error err = { 0 };
	struct eng_ignore *ig = (struct eng_ignore *)1;

	assert_int_equal(eng_ignore_parse(text, len, &ig, &err), -EINVAL);
	assert_null(ig);
	assert_string_equal(err.msg, msg);
}

#define FAILS(text, msg) parse_fails(text, strlen(text), msg)

/* Whether path is excluded by the patterns in text (one a line). */
static bool excluded(const char *text, const char *path)
{
	struct eng_ignore *ig = parse_ok(text);
	bool m = eng_ignore_match(ig, path);

	eng_ignore_free(ig);
	return m;
}

#define EXCLUDED(text, path) \
	do { \
		if (!excluded(text, path)) \
			fail_msg("`%s` not excluded by:\n%s", path, text); \
	} while (0)
#define KEPT(text, path) \
	do { \
		if (excluded(text, path)) \
			fail_msg("`%s` excluded by:\n%s", path, text); \
	} while (0)

/* moby/patternmatcher TestMatches: pattern, path, whether it matches
 * (itself or through a parent directory: MatchesOrParentMatches). */
static const struct {
	const char *pattern, *path;
	bool match;
} docker_cases[] = {
	{ "**", "file", true },
	{ "**", "file/", true },
	{ "**/", "file", true },
	{ "**/", "file/", true },
	{ "**", "/", true },
	{ "**/", "/", true },
	{ "**", "dir/file", true },
	{ "**/", "dir/file", true },
	{ "**", "dir/file/", true },
	{ "**/", "dir/file/", true },
	{ "**/**", "dir/file", true },
	{ "**/**", "dir/file/", true },
	{ "dir/**", "dir/file", true },
	{ "dir/**", "dir/file/", true },
	{ "dir/**", "dir/dir2/file", true },
	{ "dir/**", "dir/dir2/file/", true },
	{ "**/dir", "dir", true },
	{ "**/dir", "dir/file", true },
	{ "**/dir2/*", "dir/dir2/file", true },
	{ "**/dir2/*", "dir/dir2/file/", true },
	{ "**/dir2/**", "dir/dir2/dir3/file", true },
	{ "**/dir2/**", "dir/dir2/dir3/file/", true },
	{ "**file", "file", true },
	{ "**file", "dir/file", true },
	{ "**/file", "dir/file", true },
	{ "**file", "dir/dir/file", true },
	{ "**/file", "dir/dir/file", true },
	{ "**/file*", "dir/dir/file", true },
	{ "**/file*", "dir/dir/file.txt", true },
	{ "**/file*txt", "dir/dir/file.txt", true },
	{ "**/file*.txt", "dir/dir/file.txt", true },
	{ "**/file*.txt*", "dir/dir/file.txt", true },
	{ "**/**/*.txt", "dir/dir/file.txt", true },
	{ "**/**/*.txt2", "dir/dir/file.txt", false },
	{ "**/*.txt", "file.txt", true },
	{ "**/**/*.txt", "file.txt", true },
	{ "a**/*.txt", "a/file.txt", true },
	{ "a**/*.txt", "a/dir/file.txt", true },
	{ "a**/*.txt", "a/dir/dir/file.txt", true },
	{ "a/*.txt", "a/dir/file.txt", false },
	{ "a/*.txt", "a/file.txt", true },
	{ "a/*.txt**", "a/file.txt", true },
	{ "a[b-d]e", "ae", false },
	{ "a[b-d]e", "ace", true },
	{ "a[b-d]e", "aae", false },
	{ "a[^b-d]e", "aze", true },
	{ ".*", ".foo", true },
	{ ".*", "foo", false },
	{ "abc.def", "abcdef", false },
	{ "abc.def", "abc.def", true },
	{ "abc.def", "abcZdef", false },
	{ "abc?def", "abcZdef", true },
	{ "abc?def", "abcdef", false },
	{ "**/foo/bar", "foo/bar", true },
	{ "**/foo/bar", "dir/foo/bar", true },
	{ "**/foo/bar", "dir/dir2/foo/bar", true },
	{ "abc/**", "abc", false },
	{ "abc/**", "abc/def", true },
	{ "abc/**", "abc/def/ghi", true },
	{ "**/.foo", ".foo", true },
	{ "**/.foo", "bar.foo", false },
	{ "a(b)c/def", "a(b)c/def", true },
	{ "a(b)c/def", "a(b)c/xyz", false },
	{ "a.|)$(}+{bc", "a.|)$(}+{bc", true },
	{ "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
	  "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true },
	{ "dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true },
	{ "a\\\\", "a\\", true },
	{ "a\\*b", "a*b", true },
	/* Go's filepath.Match cases, through Docker's matcher */
	{ "abc", "abc", true },
	{ "*", "abc", true },
	{ "*c", "abc", true },
	{ "a*", "a", true },
	{ "a*", "abc", true },
	{ "a*", "ab/c", true },
	{ "a*/b", "abc/b", true },
	{ "a*/b", "a/c/b", false },
	{ "a*b*c*d*e*/f", "axbxcxdxe/f", true },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/f", true },
	{ "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/fff", false },
	{ "a*b?c*x", "abxbbxdbxebxczzx", true },
	{ "a*b?c*x", "abxbbxdbxebxczzy", false },
	{ "ab[c]", "abc", true },
	{ "ab[b-d]", "abc", true },
	{ "ab[e-g]", "abc", false },
	{ "ab[^c]", "abc", false },
	{ "ab[^b-d]", "abc", false },
	{ "ab[^e-g]", "abc", true },
	{ "a\\*b", "ab", false },
	{ "a?b", "a\xe2\x98\xba" "b", true },
	{ "a[^a]b", "a\xe2\x98\xba" "b", true },
	{ "a???b", "a\xe2\x98\xba" "b", false },
	{ "a[^a][^a][^a]b", "a\xe2\x98\xba" "b", false },
	{ "[a-\xce\xb6]*", "\xce\xb1", true },
	{ "*[a-\xce\xb6]", "A", false },
	{ "a?b", "a/b", false },
	{ "a*b", "a/b", false },
	{ "[\\]a]", "]", true },
	{ "[\\-]", "-", true },
	{ "[x\\-]", "x", true },
	{ "[x\\-]", "-", true },
	{ "[x\\-]", "z", false },
	{ "[\\-x]", "x", true },
	{ "[\\-x]", "-", true },
	{ "[\\-x]", "a", false },
	{ "*x", "xxx", true },
};

static void docker_pattern_cases(void **state)
{
	for (size_t i = 0; i < sizeof(docker_cases) / sizeof(docker_cases[0]); i++) {
		bool got = excluded(docker_cases[i].pattern, docker_cases[i].path);

		if (got != docker_cases[i].match)
			fail_msg("pattern `%s`, path `%s`: got %d, want %d", docker_cases[i].pattern,
				 docker_cases[i].path, got, docker_cases[i].match);
	}
}

static void docker_multi_pattern_cases(void **state)
{
	KEPT("**\n!util/docker/web\n", "util/docker/web/foo");
	EXCLUDED("**\n!util/docker/web\nutil/docker/web/foo\n", "util/docker/web/foo");
	KEPT("**\n!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl\n",
	     "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl");
	KEPT("**\n!dist/*.whl\n", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl");
	/* an exclusion followed by an inclusion, and the other way round */
	EXCLUDED("!fileutils.go\n*.go\n", "fileutils.go");
	KEPT("*.go\n!fileutils.go\n", "fileutils.go");
	/* a folder pattern followed by an exception */
	KEPT("docs\n!docs/README.md\n", "docs/README.md");
	KEPT("docs/\n!docs/README.md\n", "docs/README.md");
	KEPT("docs/*\n!docs/README.md\n", "docs/README.md");
	EXCLUDED("docs\n!docs/README.md\n", "docs/other.md");
	/* no patterns: nothing excluded; the context itself never is */
	KEPT("", "any/path/there");
	KEPT("*\n**\n", ".");
	KEPT("*\n**\n", "");
}

/* The examples of Docker's .dockerignore documentation. */
static void documented_examples(void **state)
{
	const char *doc = "# comment\n"
			  "*/temp*\n"
			  "*/*/temp*\n"
			  "temp?\n";

	EXCLUDED(doc, "somedir/temporary.txt");
	EXCLUDED(doc, "somedir/temp");
	EXCLUDED(doc, "somedir/subdir/temporary.txt");
	EXCLUDED(doc, "tempa");
	EXCLUDED(doc, "tempb");
	EXCLUDED(doc, "tempa/below/it"); /* a directory excludes what it holds */
	KEPT(doc, "temp");
	KEPT(doc, "temp12");
	KEPT(doc, "temporary.txt");
	KEPT(doc, "a/b/c/temporary.txt");
	KEPT(doc, "# comment");

	EXCLUDED("**/*.go\n", "main.go");
	EXCLUDED("**/*.go\n", "cmd/tool/main.go");
	KEPT("**/*.go\n", "cmd/tool/main.c");

	/* exceptions: the last matching line decides */
	doc = "*.md\n!README*.md\nREADME-secret.md\n";
	EXCLUDED(doc, "CHANGES.md");
	KEPT(doc, "README.md");
	KEPT(doc, "README-public.md");
	EXCLUDED(doc, "README-secret.md");
	doc = "*.md\nREADME-secret.md\n!README*.md\n";
	KEPT(doc, "README-secret.md");
	EXCLUDED(doc, "CHANGES.md");
	/* !important.md re-includes what *.md excluded */
	doc = "*.md\n!important.md\n";
	KEPT(doc, "important.md");
	EXCLUDED(doc, "notes.md");
	/* `*.md` only matches at the top: a pattern has no implicit `**` */
	KEPT(doc, "docs/notes.md");
	/* exceptions re-include a whole excluded directory's part */
	doc = "build\n!build/keep\n";
	EXCLUDED(doc, "build/out.o");
	KEPT(doc, "build/keep");
	KEPT(doc, "build/keep/inner/file");
	KEPT(doc, "builder/x");
	/* everything but the sources */
	doc = "*\n!src\n!Makefile\n";
	KEPT(doc, "src/main.c");
	KEPT(doc, "Makefile");
	EXCLUDED(doc, "README");
	EXCLUDED(doc, ".git/config");
}

static void lines_are_cleaned(void **state)
{
	/* '#' only at the first column; blanks trimmed; CRLF and a BOM */
	const char *doc = "\xef\xbb\xbf" "a\r\n"
			  "  # not a comment  \r\n"
			  "\t /abs/path//x/../y/ \t\n"
			  "./dot/./z\n"
			  "! neg\n"
			  "\n"
			  "   \n";
	struct eng_ignore *ig = parse_ok(doc);

	assert_int_equal(eng_ignore_count(ig), 5);
	assert_true(eng_ignore_has_exceptions(ig));
	assert_true(eng_ignore_match(ig, "a"));
	assert_true(eng_ignore_match(ig, "# not a comment"));
	assert_true(eng_ignore_match(ig, "abs/path/y"));
	assert_true(eng_ignore_match(ig, "abs/path/y/under"));
	assert_false(eng_ignore_match(ig, "abs/path/x/y"));
	assert_true(eng_ignore_match(ig, "dot/z"));
	assert_false(eng_ignore_match(ig, "neg"));
	eng_ignore_free(ig);

	ig = parse_ok("# only comments\n\n");
	assert_int_equal(eng_ignore_count(ig), 0);
	assert_false(eng_ignore_has_exceptions(ig));
	assert_false(eng_ignore_must_descend(ig, "x"));
	eng_ignore_free(ig);
	/* ".." stays: it matches nothing inside the context */
	KEPT("../outside\n", "outside");
	EXCLUDED("a/../../b/..//c\n", "../c");
	/* a '/' alone stays '/' and matches nothing */
	KEPT("/\n", "x");
	/* what Docker does, which its documentation does not say: `**name`
	 * is a suffix match, and a leading "/!" makes an exception */
	EXCLUDED("**file\n", "dir/xfile");
	KEPT("x\n/!x\n", "x");
	eng_ignore_free(NULL);
	assert_false(eng_ignore_match(NULL, "x"));
}

static void refusals(void **state)
{
	FAILS("a\n!\n", ".dockerignore:2: illegal exclusion pattern: \"!\"");
	FAILS("!  \n", ".dockerignore:1: illegal exclusion pattern: \"!\"");
	FAILS("[\n", ".dockerignore:1: bad pattern `[`: unterminated [ class");
	FAILS("ok\n\na[\n", ".dockerignore:3: bad pattern `a[`: unterminated [ class");
	FAILS("[^\n", ".dockerignore:1: bad pattern `[^`: unterminated [ class");
	FAILS("[^bc\n", ".dockerignore:1: bad pattern `[^bc`: unterminated [ class");
	FAILS("[]a]\n", ".dockerignore:1: bad pattern `[]a]`: bad [ class");
	FAILS("[-]\n", ".dockerignore:1: bad pattern `[-]`: bad [ class");
	FAILS("[x-]\n", ".dockerignore:1: bad pattern `[x-]`: bad [ class");
	FAILS("[-x]\n", ".dockerignore:1: bad pattern `[-x]`: bad [ class");
	FAILS("[a-b-c]\n", ".dockerignore:1: bad pattern `[a-b-c]`: bad [ class");
	FAILS("x/\\\n", ".dockerignore:1: bad pattern `x/\\`: it ends with an unescaped \\");
	FAILS("![\n", ".dockerignore:1: bad pattern `[`: unterminated [ class");
	FAILS("[\xff]\n", ".dockerignore:1: bad pattern `[?]`: bad [ class");
	parse_fails("a\nb\0c\n", 6, ".dockerignore:2: NUL byte");
}

static void bounds(void **state)
{
	size_t big = ENG_IGNORE_FILE_MAX + 1, o = 0;
	char *text = malloc(big);
	struct isolab_error err = { 0 };
	struct eng_ignore *ig;

	assert_non_null(text);
	memset(text, '\n', big);
	parse_fails(text, big, ".dockerignore: larger than 1048576 bytes");
	memset(text, 'x', ENG_IGNORE_PATTERN_MAX + 1);
	text[ENG_IGNORE_PATTERN_MAX + 1] = '\n';
	parse_fails(text, ENG_IGNORE_PATTERN_MAX + 2,
		    ".dockerignore:1: pattern longer than 4096 bytes");
	/* the longest pattern, all wildcards: matched in linear time */
	for (size_t i = 0; i < ENG_IGNORE_PATTERN_MAX; i += 2)
		memcpy(text + i, "*a", 2);
	assert_int_equal(eng_ignore_parse(text, ENG_IGNORE_PATTERN_MAX, &ig, &err), 0);
	memset(text, 'a', 4000);
	text[4000] = 'b';
	text[4001] = '\0';
	assert_false(eng_ignore_match(ig, text));
	eng_ignore_free(ig);
	/* one pattern too many */
	for (int i = 0; i <= ENG_IGNORE_PATTERNS_MAX; i++) {
		memcpy(text + o, "p\n", 2);
		o += 2;
	}
	parse_fails(text, o, ".dockerignore:10001: more than 10000 patterns");
	free(text);
}

static void descend_for_exceptions(void **state)
{
	struct eng_ignore *ig = parse_ok("docs\n!docs/README.md\n");

	assert_true(eng_ignore_match(ig, "docs"));
	assert_true(eng_ignore_must_descend(ig, "docs"));
	assert_false(eng_ignore_must_descend(ig, "other"));
	eng_ignore_free(ig);

	/* no exceptions: never */
	ig = parse_ok("docs\n");
	assert_false(eng_ignore_must_descend(ig, "docs"));
	eng_ignore_free(ig);

	/* wildcards in the exception's directories */
	ig = parse_ok("*\n!src?/keep.txt\n!a/*/c/d\n");
	assert_true(eng_ignore_must_descend(ig, "src1"));
	assert_false(eng_ignore_must_descend(ig, "lib"));
	assert_true(eng_ignore_must_descend(ig, "a"));
	assert_true(eng_ignore_must_descend(ig, "a/b"));
	assert_true(eng_ignore_must_descend(ig, "a/b/c"));
	assert_false(eng_ignore_must_descend(ig, "a/b/x"));
	/* the exception names dir itself or above: what is below is decided
	 * as dir was */
	assert_false(eng_ignore_must_descend(ig, "a/b/c/d"));
	assert_false(eng_ignore_must_descend(ig, "src1/keep.txt"));
	assert_true(eng_ignore_match(ig, "src1/other"));
	assert_false(eng_ignore_match(ig, "src1/keep.txt"));
	eng_ignore_free(ig);

	/* `**` reaches any depth */
	ig = parse_ok("vendor\n!**/LICENSE\n");
	assert_true(eng_ignore_must_descend(ig, "vendor"));
	assert_false(eng_ignore_match(ig, "vendor/pkg/LICENSE"));
	assert_true(eng_ignore_match(ig, "vendor/pkg/code.go"));
	eng_ignore_free(ig);
	ig = parse_ok("x/y/z\n!x/**\n");
	assert_true(eng_ignore_must_descend(ig, "x/y/z"));
	eng_ignore_free(ig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(docker_pattern_cases),
		cmocka_unit_test(docker_multi_pattern_cases),
		cmocka_unit_test(documented_examples),
		cmocka_unit_test(lines_are_cleaned),
		cmocka_unit_test(refusals),
		cmocka_unit_test(bounds),
		cmocka_unit_test(descend_for_exceptions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
