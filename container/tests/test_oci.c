/* test_oci.c: config.json -> struct ctr_config (container/oci.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "common/jsonfile.h"
#include "container/caps.h"
#include "container/oci.h"

static const char full_config[] =
	"{\"ociVersion\":\"1.0.2\",\"unknownTop\":{\"x\":1},"
	"\"process\":{\"terminal\":false,\"user\":{\"uid\":1000,\"gid\":100,"
	"\"additionalGids\":[5,6]},\"args\":[\"sh\",\"-c\",\"echo hi\"],"
	"\"env\":[\"PATH=/bin\",\"TERM=xterm\"],\"cwd\":\"/tmp\","
	"\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"],"
	"\"effective\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"],"
	"\"ambient\":[\"CAP_KILL\"]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":512}],"
	"\"noNewPrivileges\":true},"
	"\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	"\"hostname\":\"oci-box\","
	"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\","
	"\"options\":[\"rbind\",\"ro\",\"rprivate\"]},"
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]}],"
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
	"{\"type\":\"user\"},{\"type\":\"uts\"}],"
	"\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
	"\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
	"\"resources\":{\"memory\":{\"limit\":67108864},"
	"\"cpu\":{\"quota\":25000,\"period\":50000},\"pids\":{\"limit\":64},"
	"\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
	"\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
	"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}}}";

static int map(const char *text, struct ctr_config *cfg, struct isolab_error *err)
{
	cJSON *doc = NULL;
	int rc;

	ctr_config_init(cfg);
	memset(err, 0, sizeof(*err));
	rc = isolab_json_parse(text, "config.json", &doc, err);
	if (rc == 0)
		rc = ctr_oci_from_json(doc, "/bundle", cfg, err);
	cJSON_Delete(doc);
	return rc;
}

static void test_full_mapping(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;

	(void)state;
	assert_int_equal(map(full_config, &cfg, &err), 0);
	assert_int_equal(cfg.argc, 3);
	assert_string_equal(cfg.argv[2], "echo hi");
	assert_int_equal(cfg.n_env, 2);
	assert_string_equal(cfg.cwd, "/tmp");
	assert_int_equal(cfg.uid, 1000);
	assert_int_equal(cfg.gid, 100);
	assert_int_equal(cfg.n_groups, 2);
	assert_int_equal(cfg.groups[1], 6);
	assert_int_equal(cfg.caps.bounding, (1ull << CAP_KILL) | (1ull << CAP_CHOWN));
	assert_int_equal(cfg.caps.effective, 1ull << CAP_KILL);
	assert_int_equal(cfg.caps.inheritable, 0);
	assert_int_equal(cfg.caps.ambient, 1ull << CAP_KILL);
	assert_int_equal(cfg.n_rlimits, 1);
	assert_int_equal(cfg.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(cfg.rlimits[0].soft, 512);
	assert_int_equal(cfg.rlimits[0].hard, 1024);
	assert_true(cfg.no_new_privs);
	assert_string_equal(cfg.layers[0], "/bundle/rootfs");
	assert_true(cfg.readonly_root);
	assert_string_equal(cfg.hostname, "oci-box");
	assert_int_equal(cfg.n_mounts, 3);
	assert_string_equal(cfg.mounts[1].destination, "/data");
	assert_true(cfg.mounts[1].flags & MS_BIND);
	assert_true(cfg.mounts[1].flags & MS_REC);
	assert_true(cfg.mounts[1].flags & MS_RDONLY);
	assert_int_equal(cfg.mounts[1].propagation, MS_PRIVATE | MS_REC);
	assert_string_equal(cfg.mounts[2].data, "mode=755,size=65536k");
	assert_true(cfg.mounts[2].flags & MS_STRICTATIME);
	assert_int_equal(cfg.namespaces, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWUTS);
	assert_int_equal(cfg.n_uid_map, 1);
	assert_int_equal(cfg.uid_map[0].outside, 100000);
	assert_int_equal(cfg.gid_map[0].count, 65536);
	assert_int_equal(cfg.memory_limit, 64ull << 20);
	assert_int_equal(cfg.cpu_quota, 25000);
	assert_int_equal(cfg.cpu_period, 50000);
	assert_int_equal(cfg.pids_limit, 64);
	assert_int_equal(cfg.n_masked, 1);
	assert_string_equal(cfg.masked_paths[0], "/proc/kcore");
	assert_string_equal(cfg.readonly_paths[0], "/proc/sys");
	ctr_config_free(&cfg);
}

static void test_minimal_defaults(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;

	(void)state;
	assert_int_equal(map("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/abs\"},"
			     "\"process\":{\"args\":[\"true\"],\"cwd\":\"/\"},"
			     "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
			     &cfg, &err),
			 0);
	assert_string_equal(cfg.layers[0], "/abs");
	assert_int_equal(cfg.namespaces, CLONE_NEWNS); /* host network, pid, ... */
	assert_int_equal(cfg.caps.effective, 0);       /* absent: no capabilities */
	assert_false(cfg.no_new_privs);
	assert_int_equal(cfg.memory_limit, 0);
	assert_int_equal(cfg.n_masked, 0);
	ctr_config_free(&cfg);
}

/*
 * Found by fuzz/oci_config: a soft limit of 1.8e58 was cast to long long
 * (undefined behaviour). Values from 9.2e18 up mean RLIM_INFINITY; a
 * fraction or a negative value is still refused.
 */
static void test_huge_rlimit_is_infinity(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;

	(void)state;
	assert_int_equal(map("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/abs\"},"
			     "\"process\":{\"args\":[\"true\"],\"cwd\":\"/\",\"rlimits\":"
			     "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1.8e58,\"soft\":1.8e58}]},"
			     "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
			     &cfg, &err),
			 0);
	assert_int_equal(cfg.n_rlimits, 1);
	assert_true(cfg.rlimits[0].soft == RLIM_INFINITY);
	assert_true(cfg.rlimits[0].hard == RLIM_INFINITY);
	ctr_config_free(&cfg);
	assert_int_equal(map("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/abs\"},"
			     "\"process\":{\"args\":[\"true\"],\"cwd\":\"/\",\"rlimits\":"
			     "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2.5,\"soft\":1}]},"
			     "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
			     &cfg, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "process.rlimits[0]"));
	ctr_config_free(&cfg);
}

/* Each broken document must fail with a message naming the field. */
static void test_errors_name_the_field(void **state)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"cwd\":\"/\"}}", "process.args" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[],\"cwd\":\"/\"}}", "process.args" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\",3],\"cwd\":\"/\"}}", "process.args[1]" },
		{ "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"}}", "root" },
		{ "{\"ociVersion\":\"1\",\"root\":{},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"}}", "root.path" },
		{ "{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"}}",
		  "ociVersion" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"]}}", "process.cwd" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"rel\"}}", "process.cwd" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"gid\":0}}}",
		  "process.user.uid" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":-1,\"gid\":0}}}",
		  "process.user.uid" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\","
		  "\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}}}",
		  "process.capabilities.bounding[0]" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\","
		  "\"rlimits\":[{\"type\":\"RLIMIT_X\",\"hard\":1,\"soft\":1}]}}",
		  "process.rlimits[0].type" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\","
		  "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":-1,\"soft\":1}]}}",
		  "process.rlimits[0]" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\","
		  "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":8,\"soft\":-8}]}}",
		  "process.rlimits[0]" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\","
		  "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":8,\"soft\":1.5}]}}",
		  "process.rlimits[0]" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
		  "\"mounts\":[{\"type\":\"tmpfs\"}]}", "mounts[0].destination" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
		  "\"linux\":{\"namespaces\":[{\"type\":\"time2\"}]}}", "linux.namespaces[0].type" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
		  "\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}", "linux.namespaces" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
		  "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}]}}",
		  "linux.uidMappings" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
		  "\"linux\":{\"resources\":{\"memory\":{\"limit\":\"big\"}}}}",
		  "linux.resources.memory.limit" },
		{ "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
		  "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
		  "\"linux\":{\"uidMappings\":[{\"containerID\":0,\"size\":1}]}}",
		  "linux.uidMappings[0].hostID" },
		{ "[1,2]", "(document)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctr_config cfg;
		struct isolab_error err;
		char want[128];

		assert_int_equal(map(cases[i].json, &cfg, &err), -EINVAL);
		snprintf(want, sizeof(want), "%s:", cases[i].field);
		if (strstr(err.msg, want) == NULL)
			fail_msg("case %zu: `%s` does not name `%s`", i, err.msg, cases[i].field);
		ctr_config_free(&cfg);
	}
}

static void test_malformed_json(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;

	(void)state;
	assert_int_equal(map("{\"ociVersion\": \"1\", \"process\": {", &cfg, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "malformed JSON"));
	ctr_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_mapping),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_errors_name_the_field),
		cmocka_unit_test(test_huge_rlimit_is_infinity),
		cmocka_unit_test(test_malformed_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
