/* test_build_copy.c: COPY's sources in a context and what it writes into a layer tree (in temp dirs; root for owners). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/mkdir.h"
#include "common/rmtree.h"
#include "engine/lib/build_copy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], ctx[128], layer[128];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ctx, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char path[256];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/isolab-copy-test-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(ctx, sizeof(ctx), "%s/ctx", dir);
	snprintf(layer, sizeof(layer), "%s/layer", dir);
	snprintf(path, sizeof(path), "%s/src/sub", ctx);
	if (isolab_mkdir_p(path, 0755) < 0 || mkdir(layer, 0755) < 0)
		return -1;
	put("a.txt", "A");
	put("b.txt", "B");
	put("c.bin", "C");
	put("src/main.c", "int main;");
	put("src/sub/x.log", "log");
	put(".dockerignore", "*.bin\nsrc/sub\n");
	snprintf(path, sizeof(path), "%s/link", ctx);
	return symlink("/etc/passwd", path);
}

static int teardown(void **state)
{
	(void)state;
	return isolab_rm_rf(dir);
}

static void test_context_and_sources(void **state)
{
	struct eng_context c;
	struct isolab_error err = { 0 };
	char **paths = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(eng_context_open(&c, ctx, &err), 0);
	/* a.txt b.txt .dockerignore src/main.c: c.bin and src/sub are out */
	assert_int_equal(c.files, 4);
	assert_int_equal(eng_copy_sources(c.dir, c.ignore, "*.txt", "COPY", &paths, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(paths[0], "a.txt");
	assert_string_equal(paths[1], "b.txt");
	eng_copy_sources_free(paths, n);
	assert_int_equal(eng_copy_sources(c.dir, c.ignore, "c.bin", "COPY", &paths, &n, &err), -ENOENT);
	assert_string_equal(err.msg, "COPY `c.bin`: not found in the build context");
	assert_int_equal(eng_copy_sources(c.dir, c.ignore, "../../etc/passwd", "COPY", &paths, &n,
					  &err), -EINVAL);
	assert_string_equal(err.msg, "COPY `../../etc/passwd`: outside the build context");
	assert_int_equal(eng_copy_sources(c.dir, c.ignore, "./src/../a.txt", "COPY", &paths, &n,
					  &err), 0);
	assert_string_equal(paths[0], "a.txt");
	eng_copy_sources_free(paths, n);
	assert_int_equal(eng_copy_sources(c.dir, c.ignore, "*.none", "COPY", &paths, &n, &err), -ENOENT);
	eng_context_close(&c);
}

static void test_copy_into(void **state)
{
	struct eng_context c;
	struct isolab_error err = { 0 };
	struct eng_copy_opts o = { .uid = 1000, .gid = 1001 };
	char path[512], target[64];
	struct stat st;
	ssize_t n;

	(void)state;
	assert_int_equal(eng_context_open(&c, ctx, &err), 0);
	o.ig = c.ignore;
	/* a directory's contents go into the destination, excluded files left out */
	assert_int_equal(eng_copy_into(c.dir, "src", layer, "/app/code", false, &o, &err), 0);
	snprintf(path, sizeof(path), "%s/app/code/main.c", layer);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 1001);
	snprintf(path, sizeof(path), "%s/app/code/sub", layer);
	assert_int_equal(access(path, F_OK), -1);
	/* parents the image lacks: 0755, --chown's owner (as Docker and buildah) */
	snprintf(path, sizeof(path), "%s/app", layer);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(st.st_uid, 1000);
	/* a parent the image has keeps its owner and mode */
	{
		char lower[256], *lowers[1] = { lower };
		struct eng_copy_opts lo = { .uid = 1000, .gid = 1000, .lower = lowers, .n_lower = 1 };

		snprintf(lower, sizeof(lower), "%s/lower/etc", dir);
		assert_int_equal(isolab_mkdir_p(lower, 0700), 0);
		assert_int_equal(chmod(lower, 0711), 0);
		snprintf(lower, sizeof(lower), "%s/lower", dir);
		assert_int_equal(eng_copy_into(c.dir, "a.txt", layer, "/etc/a.txt", false, &lo, &err), 0);
		snprintf(path, sizeof(path), "%s/etc", layer);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0711);
		assert_int_equal(st.st_uid, 0);
	}
	/* a file into a dir keeps its name; a symlink is copied as a link, not followed */
	o.uid = o.gid = -1;
	assert_int_equal(eng_copy_into(c.dir, "a.txt", layer, "/d/", true, &o, &err), 0);
	assert_int_equal(eng_copy_into(c.dir, "link", layer, "/d/", true, &o, &err), 0);
	snprintf(path, sizeof(path), "%s/d/a.txt", layer);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/d/link", layer);
	n = readlink(path, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "/etc/passwd");
	/* the same files hash the same; another content, another hash */
	{
		struct eng_digest d1, d2;
		struct eng_hasher *h = eng_hasher_new();

		o.hash = h;
		assert_int_equal(eng_copy_into(c.dir, "b.txt", layer, "/h1", false, &o, &err), 0);
		eng_hasher_final(h, &d1);
		o.hash = h = eng_hasher_new();
		put("b.txt", "B2");
		assert_int_equal(eng_copy_into(c.dir, "b.txt", layer, "/h1", false, &o, &err), 0);
		eng_hasher_final(h, &d2);
		assert_string_not_equal(d1.str, d2.str);
	}
	eng_context_close(&c);
}

static void test_archive_detection(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/a.txt", ctx);
	assert_false(eng_copy_is_archive(path));
	put("z.gz", "\x1f\x8b rest");
	snprintf(path, sizeof(path), "%s/z.gz", ctx);
	assert_true(eng_copy_is_archive(path));
	assert_false(eng_copy_is_archive(ctx)); /* a directory */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_context_and_sources),
		cmocka_unit_test(test_copy_into),
		cmocka_unit_test(test_archive_detection),
	};

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (owners)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
