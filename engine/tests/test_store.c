/* test_store.c: the store's layout, blobs, names, image lookup, garbage collection and container records, in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/rmtree.h"
#include "common/safe_open.h"
#include "engine/lib/container.h"
#include "engine/lib/image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/isolab-store-test-XXXXXX");
	return mkdtemp(root) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	return isolab_rm_rf(root);
}

static void open_store(struct eng_store *s, const char *sub)
{
	char path[128];
	struct isolab_error err = { 0 };

	snprintf(path, sizeof(path), "%s/%s", root, sub);
	assert_int_equal(eng_store_open(s, path, &err), 0);
	assert_int_equal(eng_store_lock(s, true, &err), 0);
}

static int count_files(const char *dir)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "find '%s' -mindepth 1 -maxdepth 1 | wc -l", dir);
	p = popen(cmd, "r");
	if (p != NULL && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p != NULL)
		pclose(p);
	return n;
}

static void test_layout(void **state)
{
	struct eng_store s;
	struct isolab_error err = { 0 };
	char path[256], *text = NULL;
	size_t len = 0;

	(void)state;
	open_store(&s, "a");
	snprintf(path, sizeof(path), "%s/a/oci-layout", root);
	assert_int_equal(isolab_read_regular(path, 100, &text, &len, &err), 0);
	assert_string_equal(text, "{\"imageLayoutVersion\":\"1.0.0\"}\n");
	free(text);
	snprintf(path, sizeof(path), "%s/a/blobs/sha256", root);
	assert_int_equal(access(path, F_OK), 0);
	eng_store_close(&s);
	assert_int_equal(eng_store_open(&s, "relative/path", &err), -EINVAL);
	assert_string_equal(err.msg, "store `relative/path`: not an absolute path");
	eng_store_close(&s);
}

static void test_blobs_are_verified(void **state)
{
	struct eng_store s;
	struct isolab_error err = { 0 };
	struct eng_digest d, wrong;
	char tmp[PATH_MAX], dir[256], *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	open_store(&s, "b");
	assert_int_equal(eng_store_blob_put(&s, "hello", 5, &d, &err), 0);
	assert_string_equal(d.str, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	assert_true(eng_store_blob_has(&s, &d));
	assert_int_equal(eng_store_blob_put(&s, "hello", 5, &d, &err), 0); /* again: fine */
	assert_int_equal(eng_store_blob_read(&s, &d, 5, &buf, &len, &err), 0);
	assert_string_equal(buf, "hello");
	free(buf);
	assert_int_equal(eng_store_blob_read(&s, &d, 4, &buf, &len, &err), -EFBIG);
	/* a temp file whose bytes are not its claimed digest is refused and removed */
	assert_true(eng_store_tmpfile(&s, tmp, &err) >= 0);
	f = fopen(tmp, "w");
	fputs("not hello", f);
	fclose(f);
	assert_int_equal(eng_store_blob_commit(&s, tmp, &d, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "digest mismatch"));
	assert_int_equal(access(tmp, F_OK), -1);
	snprintf(dir, sizeof(dir), "%s/b/tmp", root);
	assert_int_equal(count_files(dir), 0);
	eng_digest_buf("other", 5, &wrong);
	assert_false(eng_store_blob_has(&s, &wrong));
	eng_store_close(&s);
}

/* An image of one (fake) layer blob whose config names diff_id. */
static void add_image(struct eng_store *s, const char *name, const char *content,
		      struct eng_digest *manifest)
{
	struct isolab_error err = { 0 };
	struct eng_descriptor layer = { 0 };
	char config[512];

	assert_int_equal(eng_store_blob_put(s, content, strlen(content), &layer.digest, &err), 0);
	layer.media_type = ENG_MT_OCI_LAYER_GZIP;
	layer.size = strlen(content);
	snprintf(config, sizeof(config),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"%s\"]},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
		 content, layer.digest.str);
	assert_int_equal(eng_image_add(s, config, strlen(config), &layer, 1, name, manifest, &err),
			 0);
}

static void test_names_and_ids(void **state)
{
	struct eng_store s;
	struct isolab_error err = { 0 };
	struct eng_digest m1, m2;
	struct eng_image img, img2;
	struct eng_descriptor md = { 0 };
	char prefix[16];
	bool last = false;

	(void)state;
	open_store(&s, "c");
	add_image(&s, "app:1", "one", &m1);
	add_image(&s, "app:2", "two", &m2);
	assert_int_equal(eng_image_find(&s, "app:1", &img, &err), 0);
	assert_string_equal(img.config.cmd[0], "one");
	/* a second name: the same image ID */
	md.digest = img.manifest_digest;
	md.size = img.manifest_size;
	md.media_type = ENG_MT_OCI_MANIFEST;
	assert_int_equal(eng_image_tag(&s, &md, "app:latest", &err), 0);
	assert_int_equal(eng_image_find(&s, "app", &img2, &err), 0); /* app = app:latest */
	assert_string_equal(img.id.str, img2.id.str);
	eng_image_free(&img2);
	/* by ID and by a prefix of it */
	assert_int_equal(eng_image_find(&s, img.id.str, &img2, &err), 0);
	eng_image_free(&img2);
	snprintf(prefix, sizeof(prefix), "%.6s", eng_digest_hex(&img.id));
	assert_int_equal(eng_image_find(&s, prefix, &img2, &err), 0);
	assert_string_equal(img.id.str, img2.id.str);
	eng_image_free(&img2);
	assert_int_equal(eng_image_find(&s, "app:3", &img2, &err), -ENOENT);
	assert_string_equal(err.msg, "image `app:3`: not in the store");
	/* untag: the image stays while it has a name */
	assert_int_equal(eng_image_untag(&s, "app:1", &last, &err), 0);
	assert_false(last);
	assert_int_equal(eng_image_untag(&s, "app:latest", &last, &err), 0);
	assert_true(last);
	assert_int_equal(eng_image_untag(&s, "app:latest", &last, &err), -ENOENT);
	eng_image_free(&img);
	eng_store_close(&s);
}

static void test_gc_keeps_what_is_used(void **state)
{
	struct eng_store s;
	struct isolab_error err = { 0 };
	struct eng_digest m1, m2;
	struct eng_container c = { .name = "keeper", .exit_code = 3 };
	char blobs[256];
	uint64_t freed = 0;
	bool last;
	int before;

	(void)state;
	open_store(&s, "d");
	add_image(&s, "a:1", "aaa", &m1);
	add_image(&s, "b:1", "bbb", &m2);
	snprintf(blobs, sizeof(blobs), "%s/d/blobs/sha256", root);
	before = count_files(blobs);
	assert_int_equal(before, 6); /* 2 x (layer, config, manifest) */
	/* a container of b keeps b after its name goes */
	c.image = "b:1";
	c.manifest = m2;
	eng_digest_buf("config of b", 11, &c.image_id);
	c.created = "2026-12-02T00:00:00Z";
	assert_int_equal(eng_container_create(&s, &c, &err), 0);
	assert_int_equal(eng_image_untag(&s, "a:1", &last, &err), 0);
	assert_int_equal(eng_image_untag(&s, "b:1", &last, &err), 0);
	assert_int_equal(eng_store_gc(&s, &freed, &err), 0);
	assert_int_equal(count_files(blobs), 3);
	assert_true(freed > 0);
	assert_int_equal(eng_container_remove(&s, "keeper", &err), 0);
	assert_int_equal(eng_store_gc(&s, &freed, &err), 0);
	assert_int_equal(count_files(blobs), 0);
	eng_store_close(&s);
}

static void test_container_records(void **state)
{
	struct eng_store s;
	struct isolab_error err = { 0 };
	struct eng_container c = { .exit_code = -1 }, back;
	char *cmd[] = { "sh", "-c", "true", NULL };
	char name[32];

	(void)state;
	open_store(&s, "e");
	assert_int_equal(eng_container_name_check("c", &err), -EINVAL);
	assert_string_equal(err.msg, "container name `c`: must be 2 to 64 characters");
	assert_int_equal(eng_container_name_check("-x", &err), -EINVAL);
	assert_int_equal(eng_container_name_check("ok.name_1-2", &err), 0);
	eng_container_name_new(name, sizeof(name));
	assert_int_equal(strlen(name), 15);
	assert_int_equal(eng_container_name_check(name, &err), 0);
	snprintf(c.name, sizeof(c.name), "rec1");
	c.image = "app:1";
	c.created = "2026-12-02T00:00:00Z";
	c.command = cmd;
	c.rm = true;
	c.pid = 999999999; /* no such process: a --rm record left behind */
	eng_digest_buf("x", 1, &c.manifest);
	eng_digest_buf("y", 1, &c.image_id);
	assert_int_equal(eng_container_create(&s, &c, &err), 0);
	assert_int_equal(eng_container_create(&s, &c, &err), -EEXIST);
	assert_string_equal(err.msg, "container name `rec1` is already in use");
	assert_int_equal(eng_container_load(&s, "rec1", &back, &err), 0);
	assert_string_equal(back.command[2], "true");
	assert_true(back.rm);
	assert_false(eng_container_running(&back));
	eng_container_free(&back);
	assert_int_equal(eng_container_prune_rm(&s), 1);
	assert_int_equal(eng_container_load(&s, "rec1", &back, &err), -ENOENT);
	assert_string_equal(err.msg, "no container `rec1`");
	eng_store_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_blobs_are_verified),
		cmocka_unit_test(test_names_and_ids),
		cmocka_unit_test(test_gc_keeps_what_is_used),
		cmocka_unit_test(test_container_records),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
