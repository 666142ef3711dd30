/* test_config.c: mount options, overlay options, validation, the command
 * line's defaults and the --stats document (container/config.c, rootfs.c,
 * stats.c pure parts). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "container/config.h"
#include "container/rootfs.h"
#include "container/stats.h"

static void test_mount_options(void **state)
{
	static const char *const o1[] = { "nosuid", "noexec", "nodev", "ro", "mode=755",
					  "size=64k", "rprivate" };
	static const char *const o2[] = { "rbind", "ro", "rw", "exec" };
	static const char *const bad[] = { "a,b" };
	struct isolab_error err;
	unsigned long flags, prop;
	char *data;

	(void)state;
	assert_int_equal(ctr_parse_mount_options(o1, 7, &flags, &prop, &data, &err), 0);
	assert_int_equal(flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	assert_int_equal(prop, MS_PRIVATE | MS_REC);
	assert_string_equal(data, "mode=755,size=64k");
	free(data);
	assert_int_equal(ctr_parse_mount_options(o2, 4, &flags, &prop, &data, &err), 0);
	assert_int_equal(flags, MS_BIND | MS_REC); /* rw clears ro, exec clears noexec */
	assert_int_equal(prop, 0);
	assert_string_equal(data, "");
	free(data);
	assert_int_equal(ctr_parse_mount_options(bad, 1, &flags, &prop, &data, &err), -EINVAL);
}

static void test_overlay_options(void **state)
{
	char *layers[] = { "/base", "/mid", "/top" };
	char buf[256];

	(void)state;
	assert_int_equal(ctr_overlay_options(layers, 3, "/s/upper", "/s/work", buf, sizeof(buf)),
			 0);
	/* lowest first on the command line, top first for overlayfs */
	assert_string_equal(buf, "lowerdir=/top:/mid:/base,upperdir=/s/upper,workdir=/s/work");
	assert_int_equal(ctr_overlay_options(layers, 1, NULL, NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "lowerdir=/base");
	assert_int_equal(ctr_overlay_options(layers, 3, "/u", "/w", buf, 20), -ENAMETOOLONG);
	assert_int_equal(ctr_overlay_options(layers, 0, "/u", "/w", buf, sizeof(buf)), -EINVAL);
}

static void test_default_mounts_and_validate(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;

	(void)state;
	ctr_config_init(&cfg);
	assert_int_equal(ctr_config_validate(&cfg, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no command"));
	ctr_strv_push(&cfg.argv, &cfg.argc, "true");
	assert_int_equal(ctr_config_validate(&cfg, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "root filesystem"));
	ctr_strv_push(&cfg.layers, &cfg.n_layers, "/r");
	assert_int_equal(ctr_config_validate(&cfg, &err), -EINVAL); /* no id */
	cfg.id = strdup("../x");
	assert_int_equal(ctr_config_validate(&cfg, &err), -EINVAL);
	free(cfg.id);
	cfg.id = strdup(".owners"); /* dot names in /run/isolab-ctr are the runtime's */
	assert_int_equal(ctr_config_validate(&cfg, &err), -EINVAL);
	free(cfg.id);
	cfg.id = strdup("a.b");
	assert_int_equal(ctr_config_validate(&cfg, &err), 0);
	free(cfg.id);
	cfg.id = strdup("good");
	assert_int_equal(ctr_config_validate(&cfg, &err), 0);
	cfg.namespaces |= CLONE_NEWUSER;
	assert_int_equal(ctr_config_validate(&cfg, &err), -EINVAL);
	cfg.namespaces &= ~CLONE_NEWUSER;
	/* the memory minimum, for the command line and config.json alike */
	cfg.memory_limit = 4096;
	assert_int_equal(ctr_config_validate(&cfg, &err), -EINVAL);
	assert_string_equal(err.msg, "memory limit 4096 bytes: below the 6M minimum");
	cfg.memory_limit = 6ull << 20;
	assert_int_equal(ctr_config_validate(&cfg, &err), 0);
	/* a soft rlimit above its hard one */
	cfg.rlimits = calloc(1, sizeof(*cfg.rlimits));
	cfg.n_rlimits = 1;
	cfg.rlimits[0] = (struct ctr_rlimit){ 7, 10, 5 };
	assert_int_equal(ctr_config_validate(&cfg, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "rlimit 7: soft limit 10 above the hard limit 5"));
	cfg.rlimits[0].soft = 5;
	assert_int_equal(ctr_config_validate(&cfg, &err), 0);
	assert_int_equal(ctr_config_add_default_mounts(&cfg, &err), 0);
	assert_int_equal(cfg.n_mounts, 5);
	assert_string_equal(cfg.mounts[0].destination, "/proc");
	assert_string_equal(cfg.mounts[1].destination, "/dev");
	assert_true(cfg.mounts[4].flags & MS_RDONLY); /* /sys */
	assert_int_equal(ctr_config_add_mount(&cfg, "x", "rel", "tmpfs", NULL, 0, &err), -EINVAL);
	assert_int_equal(ctr_default_caps(), 0xa80425fbull);
	ctr_config_free(&cfg);
}

/* The command line's defaults: the standard mounts before the volumes the
 * options added, PATH unless given, Docker's masked and read-only paths. */
static void test_cli_defaults_go_before_volumes(void **state)
{
	static const char *const order[] = { "/proc", "/dev", "/dev/pts", "/dev/shm", "/sys",
					     "/data", "/dev/x" };
	static const char *const rbind[] = { "rbind" };
	struct ctr_config cfg;
	struct isolab_error err;

	(void)state;
	ctr_config_init(&cfg);
	assert_int_equal(ctr_config_add_mount(&cfg, "/h1", "/data", "bind", rbind, 1, &err), 0);
	assert_int_equal(ctr_config_add_mount(&cfg, "/h2", "/dev/x", "bind", rbind, 1, &err), 0);
	assert_int_equal(ctr_strv_push(&cfg.env, &cfg.n_env, "A=1"), 0);
	assert_int_equal(ctr_config_add_cli_defaults(&cfg, &err), 0);
	assert_int_equal(cfg.n_mounts, 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(cfg.mounts[i].destination, order[i]);
	/* each mount kept its own fields through the move */
	assert_string_equal(cfg.mounts[5].source, "/h1");
	assert_string_equal(cfg.mounts[6].source, "/h2");
	assert_true(cfg.mounts[6].flags & MS_BIND);
	assert_string_equal(cfg.mounts[0].type, "proc");
	assert_string_equal(cfg.mounts[3].data, "mode=1777,size=65536k");
	assert_true(cfg.mounts[4].flags & MS_RDONLY);
	assert_int_equal(cfg.n_env, 2);
	assert_string_equal(cfg.env[1],
			    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	assert_null(cfg.env[2]);
	assert_int_equal(cfg.n_masked, 13);
	assert_string_equal(cfg.masked_paths[10], "/proc/sysrq-trigger");
	assert_int_equal(cfg.n_readonly, 4);
	ctr_config_free(&cfg);

	/* no volume: the defaults alone, in order; a PATH given stays the only one */
	ctr_config_init(&cfg);
	assert_int_equal(ctr_strv_push(&cfg.env, &cfg.n_env, "PATH=/bin"), 0);
	assert_int_equal(ctr_config_add_cli_defaults(&cfg, &err), 0);
	assert_int_equal(cfg.n_mounts, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(cfg.mounts[i].destination, order[i]);
	assert_int_equal(cfg.n_env, 1);
	assert_string_equal(cfg.env[0], "PATH=/bin");
	ctr_config_free(&cfg);

	/* one volume, then the defaults again before it: the rotation by 5 */
	ctr_config_init(&cfg);
	assert_int_equal(ctr_config_add_mount(&cfg, "/h1", "/data", "bind", rbind, 1, &err), 0);
	assert_int_equal(ctr_config_add_default_mounts_first(&cfg, &err), 0);
	assert_int_equal(ctr_config_add_default_mounts_first(&cfg, &err), 0);
	assert_int_equal(cfg.n_mounts, 11);
	assert_string_equal(cfg.mounts[0].destination, "/proc");
	assert_string_equal(cfg.mounts[5].destination, "/proc");
	assert_string_equal(cfg.mounts[10].destination, "/data");
	ctr_config_free(&cfg);
}

/* Every mount option name `features` lists is one the parser knows (no
 * fs-specific data left), and the list ends. */
static void test_mount_option_names(void **state)
{
	struct isolab_error err;
	size_t n = 0;

	(void)state;
	for (const char *o; (o = ctr_mount_option_name(n)) != NULL; n++) {
		unsigned long flags, prop;
		char *data;

		assert_int_equal(ctr_parse_mount_options(&o, 1, &flags, &prop, &data, &err), 0);
		if (data[0] != '\0')
			fail_msg("`%s` was taken as file-system data", o);
		free(data);
	}
	assert_int_equal(n, 33);
	assert_string_equal(ctr_mount_option_name(0), "defaults");
	assert_string_equal(ctr_mount_option_name(n - 1), "runbindable");
}

static void test_names(void **state)
{
	static const char *const good[] = { "a", "web-1", "A_b+c.d", "0", "x..y",
					    "1234567890123456789012345678901234567890123456789012345678901234" };
	static const char *const bad[] = { "", ".", "..", ".x", "a/b", "a\nb", "a b", "a\tb",
					   "a\x7f", "a:b", "a$b", "\xc3\xa9", NULL,
					   "12345678901234567890123456789012345678901234567890123456789012345" };

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!ctr_name_valid(good[i]))
			fail_msg("`%s` refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ctr_name_valid(bad[i]))
			fail_msg("case %zu accepted", i);
}

static void test_stats_document(void **state)
{
	struct ctr_stats st = { 0 };
	cJSON *doc, *ph, *mem;

	(void)state;
	st.id = "c1";
	st.cgroup_mode = "v2";
	for (int i = 0; i < CTR_PHASE_COUNT; i++)
		st.phase_ns[i] = 1000u * (unsigned)(i + 1);
	st.phase_ns[CTR_PHASE_EXEC] = 0; /* not reached */
	st.memory_peak = 4096;
	st.memory_peak_source = "memory.peak";
	st.oom_killed = true;
	st.oom_kills = 1;
	st.exit_status = 137;
	doc = ctr_stats_to_json(&st);
	assert_non_null(doc);
	ph = cJSON_GetObjectItem(doc, "phases_ns");
	assert_int_equal((int)cJSON_GetObjectItem(ph, "start")->valuedouble, 1000);
	assert_int_equal((int)cJSON_GetObjectItem(ph, "clone")->valuedouble, 3000);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(ph, "exec")));
	assert_non_null(cJSON_GetObjectItem(ph, "pivot"));
	assert_non_null(cJSON_GetObjectItem(ph, "mounts"));
	assert_non_null(cJSON_GetObjectItem(ph, "cgroup"));
	assert_non_null(cJSON_GetObjectItem(ph, "exit"));
	mem = cJSON_GetObjectItem(doc, "memory");
	assert_int_equal((int)cJSON_GetObjectItem(mem, "peak_bytes")->valuedouble, 4096);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(mem, "limit_bytes")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(doc, "oom_killed")));
	assert_int_equal((int)cJSON_GetObjectItem(doc, "exit_status")->valuedouble, 137);
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_options),
		cmocka_unit_test(test_overlay_options),
		cmocka_unit_test(test_default_mounts_and_validate),
		cmocka_unit_test(test_stats_document),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_cli_defaults_go_before_volumes),
		cmocka_unit_test(test_mount_option_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
