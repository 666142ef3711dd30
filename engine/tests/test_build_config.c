/* test_build_config.c: what metadata instructions do to the config being built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "engine/lib/build_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *print(cJSON *doc)
{
	return cJSON_PrintUnformatted(eng_bcfg_runtime(doc));
}

static void test_scratch_and_env(void **state)
{
	cJSON *doc = eng_bcfg_scratch();
	const char **env;
	size_t n;
	char *s;

	(void)state;
	s = cJSON_PrintUnformatted(doc);
	assert_string_equal(s, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
			       "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[]}");
	free(s);
	assert_int_equal(eng_bcfg_set_env(doc, "A", "1"), 0);
	assert_int_equal(eng_bcfg_set_env(doc, "B", "2"), 0);
	assert_int_equal(eng_bcfg_set_env(doc, "A", "3"), 0); /* replaced in place */
	assert_int_equal(eng_bcfg_set_env(doc, "AB", "4"), 0); /* another key */
	env = eng_bcfg_env(doc, &n);
	assert_int_equal(n, 3);
	assert_string_equal(env[0], "A=3");
	assert_string_equal(env[1], "B=2");
	assert_string_equal(env[2], "AB=4");
	free(env);
	cJSON_Delete(doc);
}

static void test_entrypoint_drops_inherited_cmd(void **state)
{
	cJSON *doc = eng_bcfg_scratch();
	char *cmd[] = { "serve" }, *ep[] = { "/bin/app" };
	char *s;

	(void)state;
	/* a Cmd from the base image, then ENTRYPOINT: Cmd goes (moby) */
	assert_int_equal(eng_bcfg_set_argv(doc, "Cmd", cmd, 1, false), 0);
	assert_int_equal(eng_bcfg_set_argv(doc, "Entrypoint", ep, 1, false), 0);
	s = print(doc);
	assert_string_equal(s, "{\"Entrypoint\":[\"/bin/app\"]}");
	free(s);
	/* CMD in this stage, then ENTRYPOINT: Cmd stays */
	assert_int_equal(eng_bcfg_set_argv(doc, "Cmd", cmd, 1, true), 0);
	assert_int_equal(eng_bcfg_set_argv(doc, "Entrypoint", ep, 1, true), 0);
	s = print(doc);
	assert_string_equal(s, "{\"Cmd\":[\"serve\"],\"Entrypoint\":[\"/bin/app\"]}");
	free(s);
	cJSON_Delete(doc);
}

static void test_expose_labels_volumes(void **state)
{
	cJSON *doc = eng_bcfg_scratch();
	struct isolab_error err = { 0 };
	char *s;

	(void)state;
	assert_int_equal(eng_bcfg_expose(doc, "80", &err), 0);
	assert_int_equal(eng_bcfg_expose(doc, "53/udp", &err), 0);
	assert_int_equal(eng_bcfg_expose(doc, "80/tcp", &err), 0); /* the same port once */
	assert_int_equal(eng_bcfg_expose(doc, "0", &err), -EINVAL);
	assert_string_equal(err.msg, "EXPOSE `0`: not PORT[/tcp|/udp|/sctp]");
	assert_int_equal(eng_bcfg_expose(doc, "80/xyz", &err), -EINVAL);
	assert_int_equal(eng_bcfg_expose(doc, "70000", &err), -EINVAL);
	assert_int_equal(eng_bcfg_set_label(doc, "a.b", "c d"), 0);
	assert_int_equal(eng_bcfg_volume(doc, "/data"), 0);
	s = print(doc);
	assert_string_equal(s, "{\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{}},"
			       "\"Labels\":{\"a.b\":\"c d\"},\"Volumes\":{\"/data\":{}}}");
	free(s);
	cJSON_Delete(doc);
}

static void test_history_and_layers(void **state)
{
	cJSON *doc = eng_bcfg_scratch();
	struct eng_digest d;
	char *s;

	(void)state;
	eng_digest_buf("x", 1, &d);
	assert_int_equal(eng_bcfg_history(doc, "2026-12-02T00:00:00Z", "ENV A=1", true), 0);
	assert_int_equal(eng_bcfg_history(doc, "2026-12-02T00:00:01Z", "RUN true", false), 0);
	assert_int_equal(eng_bcfg_add_layer(doc, &d), 0);
	s = cJSON_PrintUnformatted(doc);
	assert_non_null(strstr(s, "\"history\":[{\"created\":\"2026-12-02T00:00:00Z\",\"created_by\":"
				  "\"ENV A=1\",\"empty_layer\":true},{\"created\":"
				  "\"2026-12-02T00:00:01Z\",\"created_by\":\"RUN true\"}]"));
	assert_non_null(strstr(s, "\"created\":\"2026-12-02T00:00:01Z\"}")); /* the image's time */
	assert_non_null(strstr(s, d.str));
	free(s);
	cJSON_Delete(doc);
}

static void test_workdir(void **state)
{
	static const char *const cases[][3] = {
		{ NULL, "/app", "/app" },       { "/app", "src", "/app/src" },
		{ "/app", "../x", "/x" },       { "/", "a//b/./c/", "/a/b/c" },
		{ "/a", "../../..", "/" },      { NULL, "rel", "/rel" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = eng_bcfg_workdir(cases[i][0], cases[i][1]);

		assert_string_equal(got, cases[i][2]);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scratch_and_env),
		cmocka_unit_test(test_entrypoint_drops_inherited_cmd),
		cmocka_unit_test(test_expose_labels_volumes),
		cmocka_unit_test(test_history_and_layers),
		cmocka_unit_test(test_workdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
