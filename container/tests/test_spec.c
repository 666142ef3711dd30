/* test_spec.c: the documents `isolab-ctr spec` and `features` print
 * (container/spec.c, features.c), read back the way the runtime reads a
 * bundle (oci.c) and checked against the tables the runtime parses with. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "container/caps.h"
#include "container/features.h"
#include "container/oci.h"
#include "container/seccomp.h"
#include "container/spec.h"

#define RUNC_CAPS ((1ull << CAP_AUDIT_WRITE) | (1ull << CAP_KILL) | (1ull << CAP_NET_BIND_SERVICE))

static const cJSON *at(const cJSON *doc, const char *a, const char *b)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(doc, a);

	return b ? cJSON_GetObjectItemCaseSensitive(o, b) : o;
}

/* The default spec is a bundle this runtime runs as runc would. */
static void test_default_spec_loads(void **state)
{
	cJSON *doc = ctr_spec_default(false, 1000, 1000);
	struct ctr_config cfg;
	struct isolab_error err = { 0 };

	(void)state;
	assert_non_null(doc);
	assert_string_equal(at(doc, "ociVersion", NULL)->valuestring, "1.1.0");
	assert_true(cJSON_IsTrue(at(doc, "process", "terminal")));
	ctr_config_init(&cfg);
	assert_int_equal(ctr_oci_from_json(doc, "/b", &cfg, &err), 0);
	assert_string_equal(cfg.layers[0], "/b/rootfs");
	assert_true(cfg.readonly_root);
	assert_int_equal(cfg.argc, 1);
	assert_string_equal(cfg.argv[0], "sh");
	assert_string_equal(cfg.env[1], "TERM=xterm");
	assert_true(cfg.tty);
	assert_true(cfg.no_new_privs);
	assert_int_equal(cfg.caps.bounding, RUNC_CAPS);
	assert_int_equal(cfg.caps.ambient, RUNC_CAPS);
	assert_int_equal(cfg.caps.inheritable, 0);
	/* runc spec asks for ambient capabilities it gives no inheritable
	 * ones for: none can be raised, and none is (runc ignores them too) */
	assert_int_equal(ctr_caps_ambient_raisable(&cfg.caps), 0);
	assert_int_equal(cfg.n_rlimits, 1);
	assert_int_equal(cfg.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(cfg.rlimits[0].soft, 1024);
	assert_int_equal(cfg.namespaces,
			 CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
	assert_int_equal(cfg.n_mounts, 7);
	assert_string_equal(cfg.mounts[4].destination, "/dev/mqueue");
	assert_string_equal(cfg.mounts[6].type, "cgroup");
	assert_string_equal(cfg.mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_true(cfg.mounts[5].flags & MS_RDONLY);
	assert_int_equal(cfg.n_dev_rules, 1);
	assert_false(cfg.dev_rules[0].allow);
	assert_int_equal(cfg.n_masked, 10);
	assert_int_equal(cfg.n_readonly, 5);
	assert_string_equal(cfg.readonly_paths[4], "/proc/sysrq-trigger");
	assert_string_equal(cfg.hostname, "isolab");
	ctr_config_free(&cfg);
	cJSON_Delete(doc);
}

/* runc's ToRootless: the caller is root of a user namespace. */
static void test_rootless_spec(void **state)
{
	cJSON *doc = ctr_spec_default(true, 1000, 1001);
	const cJSON *m;
	struct ctr_config cfg;
	struct isolab_error err = { 0 };

	(void)state;
	assert_non_null(doc);
	assert_null(at(doc, "linux", "resources"));
	cJSON_ArrayForEach(m, at(doc, "mounts", NULL)) {
		const cJSON *o;

		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(m, "options"))
			if (strncmp(o->valuestring, "gid=", 4) == 0)
				fail_msg("gid= option left in %s", cJSON_Print(m));
	}
	ctr_config_init(&cfg);
	assert_int_equal(ctr_oci_from_json(doc, "/b", &cfg, &err), 0);
	assert_int_equal(cfg.namespaces,
			 CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
	assert_int_equal(cfg.n_uid_map, 1);
	assert_int_equal(cfg.uid_map[0].inside, 0);
	assert_int_equal(cfg.uid_map[0].outside, 1000);
	assert_int_equal(cfg.uid_map[0].count, 1);
	assert_int_equal(cfg.gid_map[0].outside, 1001);
	assert_int_equal(cfg.n_mounts, 7);
	assert_string_equal(cfg.mounts[5].destination, "/sys");
	assert_string_equal(cfg.mounts[5].source, "/sys");
	assert_int_equal(cfg.mounts[5].flags & (MS_BIND | MS_REC | MS_RDONLY),
			 MS_BIND | MS_REC | MS_RDONLY);
	assert_string_equal(cfg.mounts[2].data, "newinstance,ptmxmode=0666,mode=0620");
	assert_int_equal(cfg.n_dev_rules, 0);
	ctr_config_free(&cfg);
	cJSON_Delete(doc);
}

static void test_ambient_raisable(void **state)
{
	struct ctr_caps c = { .bounding = 7, .permitted = 7, .inheritable = 3, .ambient = 5 };

	(void)state;
	assert_int_equal(ctr_caps_ambient_raisable(&c), 1); /* bit 2: not inheritable */
	c.bounding = 6;
	assert_int_equal(ctr_caps_ambient_raisable(&c), 0);
	c = (struct ctr_caps){ .bounding = ~0ull, .permitted = ~0ull, .inheritable = ~0ull,
			       .ambient = RUNC_CAPS };
	assert_int_equal(ctr_caps_ambient_raisable(&c), RUNC_CAPS);
}

static bool has(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return true;
	return false;
}

static void test_features_document(void **state)
{
	cJSON *doc = ctr_features_json("2.5.4");
	const cJSON *lnx, *sc, *it;
	int cap;

	(void)state;
	assert_non_null(doc);
	assert_string_equal(at(doc, "ociVersionMin", NULL)->valuestring, "1.0.0");
	assert_string_equal(at(doc, "ociVersionMax", NULL)->valuestring, "1.1.0");
	assert_true(cJSON_IsArray(at(doc, "hooks", NULL)));
	assert_int_equal(cJSON_GetArraySize(at(doc, "hooks", NULL)), 6);
	assert_string_equal(cJSON_GetArrayItem(at(doc, "hooks", NULL), 1)->valuestring,
			    "createRuntime");
	assert_true(has(at(doc, "mountOptions", NULL), "rbind"));
	assert_true(has(at(doc, "mountOptions", NULL), "rprivate"));
	lnx = at(doc, "linux", NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(lnx, "namespaces")), 7);
	/* each namespace listed is one a config.json may ask for */
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(lnx, "namespaces")) {
		char text[256];
		cJSON *bundle;
		struct ctr_config cfg;
		struct isolab_error err = { 0 };

		snprintf(text, sizeof(text),
			 "{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"/r\"},"
			 "\"process\":{\"args\":[\"x\"],\"cwd\":\"/\"},\"linux\":{\"namespaces\":"
			 "[{\"type\":\"mount\"},{\"type\":\"%s\"}],"
			 "\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}],"
			 "\"gidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}}",
			 it->valuestring);
		bundle = cJSON_Parse(text);
		ctr_config_init(&cfg);
		if (ctr_oci_from_json(bundle, NULL, &cfg, &err) < 0)
			fail_msg("namespace %s: %s", it->valuestring, err.msg);
		ctr_config_free(&cfg);
		cJSON_Delete(bundle);
	}
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(lnx, "capabilities")), CTR_CAP_LAST + 1);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(lnx, "capabilities"))
		assert_int_equal(ctr_cap_from_name(it->valuestring, &cap), 0);
	assert_true(has(cJSON_GetObjectItem(lnx, "capabilities"), "CAP_SYS_ADMIN"));
	assert_true(cJSON_IsTrue(at(lnx, "cgroup", "v1")));
	assert_true(cJSON_IsTrue(at(lnx, "cgroup", "v2")));
	assert_true(cJSON_IsFalse(at(lnx, "cgroup", "systemd")));
	sc = cJSON_GetObjectItem(lnx, "seccomp");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(sc, "enabled")));
	assert_true(has(cJSON_GetObjectItem(sc, "actions"), "SCMP_ACT_ERRNO"));
	assert_false(has(cJSON_GetObjectItem(sc, "actions"), "SCMP_ACT_NOTIFY")); /* refused */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(sc, "operators")), 7);
	assert_true(has(cJSON_GetObjectItem(sc, "operators"), "SCMP_CMP_MASKED_EQ"));
	assert_true(has(cJSON_GetObjectItem(sc, "archs"), "SCMP_ARCH_X86_64"));
	assert_true(has(cJSON_GetObjectItem(sc, "knownFlags"), "SECCOMP_FILTER_FLAG_LOG"));
	assert_true(cJSON_IsFalse(at(at(lnx, "apparmor", NULL), "enabled", NULL)));
	assert_true(cJSON_IsFalse(at(at(lnx, "selinux", NULL), "enabled", NULL)));
	assert_string_equal(at(doc, "annotations", "io.github.seccomp.libseccomp.version")->valuestring,
			    "2.5.4");
	cJSON_Delete(doc);
}

/* Every action and operator `features` lists is accepted in a profile. */
static void test_features_seccomp_names_parse(void **state)
{
	const char *name;

	(void)state;
	for (size_t i = 0; (name = ctr_seccomp_action_name(i)) != NULL; i++) {
		char text[256];
		struct ctr_seccomp_profile *p = NULL;
		struct isolab_error err = { 0 };
		cJSON *doc;

		snprintf(text, sizeof(text),
			 "{\"defaultAction\":\"%s\",\"syscalls\":[{\"names\":[\"read\"],"
			 "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,"
			 "\"op\":\"%s\"}]}]}",
			 name, ctr_seccomp_operator_name(i % 7));
		doc = cJSON_Parse(text);
		if (ctr_seccomp_from_json(doc, "p", true, &p, &err) < 0)
			fail_msg("%s: %s", text, err.msg);
		ctr_seccomp_free(p);
		cJSON_Delete(doc);
	}
	assert_null(ctr_seccomp_operator_name(7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_spec_loads),
		cmocka_unit_test(test_rootless_spec),
		cmocka_unit_test(test_ambient_raisable),
		cmocka_unit_test(test_features_document),
		cmocka_unit_test(test_features_seccomp_names_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
