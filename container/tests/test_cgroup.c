/* test_cgroup.c: cgroup mode detection, paths and limit values for v1 and
 * v2 (the pure half of container/cgroup.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "container/args.h"
#include "container/cgroup.h"

static const struct ctr_cgroup_write *find(const struct ctr_cgroup_write *w, int n,
					   const char *file)
{
	for (int i = 0; i < n; i++)
		if (strcmp(w[i].file, file) == 0)
			return &w[i];
	return NULL;
}

static void limited(struct ctr_config *cfg)
{
	struct isolab_error err;

	ctr_config_init(cfg);
	cfg->memory_limit = 64ull << 20;
	assert_int_equal(ctr_parse_cpus("0.5", cfg->cpu_period, &cfg->cpu_quota, &err), 0);
	cfg->pids_limit = 50;
}

static void test_mode_detection(void **state)
{
	struct isolab_error err;
	enum ctr_cgroup_mode m;

	(void)state;
	assert_int_equal(ctr_cgroup_mode_from_magic(CTR_CGROUP2_SUPER_MAGIC, 0, &m, &err), 0);
	assert_int_equal(m, CTR_CGROUP_V2);
	assert_int_equal(ctr_cgroup_mode_from_magic(CTR_TMPFS_MAGIC, CTR_CGROUP2_SUPER_MAGIC, &m,
						    &err), 0);
	assert_int_equal(m, CTR_CGROUP_HYBRID);
	assert_int_equal(ctr_cgroup_mode_from_magic(CTR_TMPFS_MAGIC, 0, &m, &err), 0);
	assert_int_equal(m, CTR_CGROUP_V1);
	assert_int_equal(ctr_cgroup_mode_from_magic(0xEF53, 0, &m, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "/sys/fs/cgroup"));
}

static void test_v2_values(void **state)
{
	struct ctr_cgroup_write w[CTR_CGROUP_MAX_WRITES];
	struct ctr_config cfg;
	int n;

	(void)state;
	limited(&cfg);
	n = ctr_cgroup_plan_writes(&cfg, CTR_CGROUP_V2, w);
	assert_int_equal(n, 4);
	assert_string_equal(find(w, n, "cpu.max")->value, "50000 100000");
	assert_string_equal(find(w, n, "memory.max")->value, "67108864");
	assert_string_equal(find(w, n, "memory.swap.max")->value, "0");
	assert_true(find(w, n, "memory.swap.max")->optional);
	assert_string_equal(find(w, n, "pids.max")->value, "50");
	assert_null(find(w, n, "cpu.cfs_quota_us"));
	ctr_config_free(&cfg);
}

static void test_v1_values(void **state)
{
	struct ctr_cgroup_write w[CTR_CGROUP_MAX_WRITES];
	struct ctr_config cfg;
	int n;

	(void)state;
	limited(&cfg);
	for (int mode = CTR_CGROUP_V1; mode <= CTR_CGROUP_HYBRID; mode++) {
		n = ctr_cgroup_plan_writes(&cfg, (enum ctr_cgroup_mode)mode, w);
		assert_int_equal(n, 5);
		assert_string_equal(find(w, n, "cpu.cfs_quota_us")->value, "50000");
		assert_string_equal(find(w, n, "cpu.cfs_period_us")->value, "100000");
		assert_int_equal(find(w, n, "cpu.cfs_quota_us")->controller, CTR_V1_CPU);
		assert_string_equal(find(w, n, "memory.limit_in_bytes")->value, "67108864");
		assert_int_equal(find(w, n, "memory.limit_in_bytes")->controller, CTR_V1_MEMORY);
		assert_string_equal(find(w, n, "pids.max")->value, "50");
		assert_int_equal(find(w, n, "pids.max")->controller, CTR_V1_PIDS);
		/* period before quota, limit before memsw (the kernel checks order) */
		assert_true(find(w, n, "cpu.cfs_period_us") < find(w, n, "cpu.cfs_quota_us"));
		assert_true(find(w, n, "memory.limit_in_bytes") <
			    find(w, n, "memory.memsw.limit_in_bytes"));
		assert_null(find(w, n, "cpu.max"));
	}
	ctr_config_free(&cfg);
}

static void test_no_limits_no_writes(void **state)
{
	struct ctr_cgroup_write w[CTR_CGROUP_MAX_WRITES];
	struct ctr_config cfg;

	(void)state;
	ctr_config_init(&cfg);
	/* by default only the pids limit (config.h) */
	assert_int_equal(ctr_cgroup_plan_writes(&cfg, CTR_CGROUP_V2, w), 1);
	assert_string_equal(w[0].value, "2048");
	assert_int_equal(ctr_cgroup_plan_writes(&cfg, CTR_CGROUP_V1, w), 1);
	cfg.pids_limit = 0; /* --pids 0 */
	assert_int_equal(ctr_cgroup_plan_writes(&cfg, CTR_CGROUP_V2, w), 0);
	assert_int_equal(ctr_cgroup_plan_writes(&cfg, CTR_CGROUP_V1, w), 0);
	ctr_config_free(&cfg);
}

static void test_paths(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(ctr_cgroup_path(buf, sizeof(buf), "/sys/fs/cgroup", CTR_CGROUP_V2, 0,
					 "/isolab-ctr/abc"), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/isolab-ctr/abc");
	assert_int_equal(ctr_cgroup_path(buf, sizeof(buf), "/sys/fs/cgroup", CTR_CGROUP_HYBRID,
					 CTR_V1_PIDS, "/isolab-ctr/abc"), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/pids/isolab-ctr/abc");
	assert_int_equal(ctr_cgroup_path(buf, sizeof(buf), "/sys/fs/cgroup", CTR_CGROUP_V1,
					 CTR_V1_MEMORY, "/abc"), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/memory/abc");
	assert_int_equal(ctr_cgroup_path(buf, 10, "/sys/fs/cgroup", CTR_CGROUP_V2, 0, "/p/abc"),
			 -ENAMETOOLONG);
}

/* resolve CGROUPS_PATH PARENT ID SELF: the path, or "!" and the message */
static const char *resolve(const char *cgroups_path, const char *parent, const char *id,
			   const char *self)
{
	static char out[PATH_MAX + 600];
	struct isolab_error err = { 0 };

	if (ctr_cgroup_resolve(cgroups_path, parent, id, self, out, PATH_MAX, &err) < 0)
		snprintf(out, sizeof(out), "!%s", err.msg);
	return out;
}

static void test_cgroups_path(void **state)
{
	static const char hybrid[] = "9:name=systemd:/\n4:memory:/process_api/1ab3\n0::/user.slice/user-0.slice/session-1.scope\n";

	(void)state;
	/* unset: parent and id */
	assert_string_equal(resolve(NULL, "isolab-ctr", "c1", NULL), "/isolab-ctr/c1");
	assert_string_equal(resolve("", "a//b/", "c1", NULL), "/a/b/c1");
	assert_string_equal(resolve(NULL, "", "c1", NULL), "/c1");
	/* absolute: containerd's and podman's (the leaf is not the id) */
	assert_string_equal(resolve("/default/c1", "isolab-ctr", "c1", NULL), "/default/c1");
	assert_string_equal(resolve("/libpod_parent/libpod-0123", "isolab-ctr", "0123", NULL),
			    "/libpod_parent/libpod-0123");
	assert_string_equal(resolve("//a/./b//", "p", "c1", NULL), "/a/b");
	/* relative: under the parent of the runtime's unified cgroup */
	assert_string_equal(resolve("box/c1", "p", "c1", hybrid), "/user.slice/user-0.slice/box/c1");
	assert_string_equal(resolve("c1", "p", "c1", "0::/\n"), "/c1");
	assert_string_equal(resolve("c1", "p", "c1", "0::/runtime.scope\n"), "/c1");
	/* pure v1: no unified line, the root */
	assert_string_equal(resolve("box/c1", "p", "c1", "4:memory:/x/y\n1:cpu:/\n"), "/box/c1");
	assert_string_equal(resolve("box/c1", "p", "c1", ""), "/box/c1");
	/* refused */
	assert_string_equal(resolve("/a/../b", "p", "c1", NULL),
			    "!linux.cgroupsPath `/a/../b`: no '..' allowed");
	assert_string_equal(resolve("..", "p", "c1", "0::/\n"), "!linux.cgroupsPath `..`: no '..' allowed");
	assert_string_equal(resolve("system.slice:isolab:c1", "p", "c1", NULL),
			    "!linux.cgroupsPath `system.slice:isolab:c1`: systemd's slice:prefix:name, and isolab-ctr has no systemd cgroup driver (cgroupfs only)");
	assert_string_equal(resolve("/", "p", "c1", NULL),
			    "!linux.cgroupsPath `/`: the hierarchy's root, not a cgroup of its own");
	assert_string_equal(resolve("/./", "p", "c1", NULL),
			    "!linux.cgroupsPath `/./`: the hierarchy's root, not a cgroup of its own");
	assert_string_equal(resolve(NULL, "a/../b", "c1", NULL), "!cgroup parent `a/../b`: no '..' allowed");
	/* names that only look like dots, and colons elsewhere, are fine */
	assert_string_equal(resolve("/a..b/...", "p", "c1", NULL), "/a..b/...");
	assert_string_equal(resolve("/x:y:z", "p", "c1", NULL), "/x:y:z");
	assert_null(ctr_cgroup_path_problem("/a:b"));
	assert_non_null(ctr_cgroup_path_problem("/a\nb"));
}

static void test_cpuset_lists(void **state)
{
	static const char *const good[] = { "0", "0-1", "0-3,5", "1,0", "2-2", "0-7,9,12-15" };
	static const char *const bad[] = { "", "-1", "0-", "3-1", "0,", ",0", "0 1", "0-1-2",
					   "a", "0x1", "1,,2", "99999999" };

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(ctr_cgroup_cpuset_list_check(good[i]), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ctr_cgroup_cpuset_list_check(bad[i]), -EINVAL);
}

static void test_flat_keyed_files(void **state)
{
	uint64_t v = 0;

	(void)state;
	/* memory.events (v2) and memory.oom_control (v1) */
	assert_int_equal(ctr_cgroup_parse_key("low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n",
					      "oom_kill", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ctr_cgroup_parse_key("low 0\nmax 12\noom 3\n", "oom", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(ctr_cgroup_parse_key("oom_kill_disable 0\nunder_oom 0\noom_kill 4\n",
					      "oom_kill", &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(ctr_cgroup_parse_key("oom_kill_disable 0\n", "oom_kill", &v), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_detection),
		cmocka_unit_test(test_v2_values),
		cmocka_unit_test(test_v1_values),
		cmocka_unit_test(test_no_limits_no_writes),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_cgroups_path),
		cmocka_unit_test(test_cpuset_lists),
		cmocka_unit_test(test_flat_keyed_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
