/* test_oci_extras.c: the runtime-spec fields of oci_extras.c, the refused
 * and ignored ones (oci_fields.c), the sysctl allow-list (sysctl.c), the
 * hooks (hooks.c) and the v1 /sys/fs/cgroup plan (cgroupfs.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

#include "common/jsonfile.h"
#include "container/cgroup.h"
#include "container/cgroupfs.h"
#include "container/hooks.h"
#include "container/oci.h"
#include "container/oci_fields.h"
#include "container/sysctl.h"

/* A config with `lnx` spliced into linux, and `extra` into process when
 * it starts with `,"oomScoreAdj"`, else into the top object. */
static int map(const char *extra, const char *lnx, const struct ctr_host_features *host,
	       struct ctr_config *cfg, struct isolab_error *err)
{
	char text[4096];
	cJSON *doc = NULL;
	int rc;

	snprintf(text, sizeof(text),
		 "{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"rootfs\"},"
		 "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"%s},"
		 "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\"},"
		 "{\"type\":\"ipc\"},{\"type\":\"uts\"}]%s}%s}",
		 extra && strncmp(extra, ",\"oom", 5) == 0 ? extra : "", lnx ? lnx : "",
		 extra && strncmp(extra, ",\"oom", 5) != 0 ? extra : "");
	ctr_config_init(cfg);
	memset(err, 0, sizeof(*err));
	rc = isolab_json_parse(text, "config.json", &doc, err);
	if (rc == 0)
		rc = ctr_oci_from_json_host(doc, "/bundle", host, cfg, err);
	cJSON_Delete(doc);
	return rc;
}

static void expect_error(const char *extra, const char *lnx, const struct ctr_host_features *host,
			 const char *msg)
{
	struct ctr_config cfg;
	struct isolab_error err;

	assert_int_not_equal(map(extra, lnx, host, &cfg, &err), 0);
	assert_string_equal(err.msg, msg);
	ctr_config_free(&cfg);
}

static void test_process_extras(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;

	(void)state;
	assert_int_equal(map(",\"oomScoreAdj\":-500,\"user\":{\"uid\":0,\"gid\":0,\"umask\":23},"
			     "\"consoleSize\":{\"height\":40,\"width\":120}",
			     NULL, NULL, &cfg, &err),
			 0);
	assert_true(cfg.has_oom_score_adj);
	assert_int_equal(cfg.oom_score_adj, -500);
	assert_int_equal(cfg.umask, 027); /* JSON has no octal: 23 */
	assert_int_equal(cfg.console_rows, 40);
	assert_int_equal(cfg.console_cols, 120);
	ctr_config_free(&cfg);
	assert_int_equal(map(NULL, NULL, NULL, &cfg, &err), 0);
	assert_false(cfg.has_oom_score_adj);
	assert_int_equal(cfg.umask, -1);
	assert_int_equal(cfg.personality, -1);
	assert_int_equal(cfg.rootfs_propagation, 0);
	ctr_config_free(&cfg);
	expect_error(",\"oomScoreAdj\":1001", NULL, NULL,
		     "config.json: process.oomScoreAdj: not an integer in range");
}

static void test_linux_extras(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;

	(void)state;
	assert_int_equal(map(",\"domainname\":\"example.org\"",
			     ",\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 0\",\"kernel.shmmax\":\"1\"},"
			     "\"rootfsPropagation\":\"rslave\",\"personality\":{\"domain\":\"LINUX32\"},"
			     "\"resources\":{\"memory\":{\"limit\":67108864,\"swap\":67108864,"
			     "\"kernel\":1},\"blockIO\":{\"throttleReadBpsDevice\":"
			     "[{\"major\":8,\"minor\":0,\"rate\":1048576}]}}",
			     NULL, &cfg, &err),
			 0);
	assert_int_equal(cfg.n_sysctls, 3);
	assert_string_equal(cfg.sysctls[0].key, "kernel.domainname");
	assert_string_equal(cfg.sysctls[0].value, "example.org");
	assert_string_equal(cfg.sysctls[1].key, "net.ipv4.ping_group_range");
	assert_string_equal(cfg.sysctls[2].value, "1");
	assert_int_equal(cfg.rootfs_propagation, MS_SLAVE | MS_REC);
	assert_int_equal(cfg.personality, PER_LINUX32);
	assert_int_equal(cfg.n_blkio_limits, 1);
	assert_int_equal(cfg.blkio_limits[0].kind, CTR_BLKIO_READ_BPS);
	assert_int_equal(cfg.blkio_limits[0].major, 8);
	assert_int_equal(cfg.blkio_limits[0].rate, 1048576);
	ctr_config_free(&cfg);
	expect_error(NULL, ",\"rootfsPropagation\":\"sideways\"", NULL,
		     "config.json: linux.rootfsPropagation: must be one of shared, slave, private, "
		     "unbindable (each also with r)");
	expect_error(NULL, ",\"resources\":{\"memory\":{\"limit\":67108864,\"swap\":-1}}", NULL,
		     "config.json: linux.resources.memory.swap: not supported by isolab-ctr (no "
		     "swap: only a value equal to memory.limit)");
	expect_error(NULL, ",\"personality\":{\"domain\":\"SVR4\"}", NULL,
		     "config.json: linux.personality.domain: must be LINUX or LINUX32");
}

static void test_sysctl_allow_list(void **state)
{
	struct isolab_error err = { 0 };
	int all = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
	char path[64];

	(void)state;
	assert_int_equal(ctr_sysctl_check("net.ipv4.ip_forward", all, &err), 0);
	assert_int_equal(ctr_sysctl_check("kernel.msgmax", all, &err), 0);
	assert_int_equal(ctr_sysctl_check("fs.mqueue.queues_max", all, &err), 0);
	assert_int_equal(ctr_sysctl_check("kernel.domainname", all, &err), 0);
	assert_int_equal(ctr_sysctl_check("kernel.panic", all, &err), -EINVAL);
	assert_string_equal(err.msg, "config.json: linux.sysctl: `kernel.panic`: not in a namespace "
				     "of the container's (only net.*, kernel.msg*/sem/shm*, "
				     "fs.mqueue.*, kernel.domainname)");
	assert_int_equal(ctr_sysctl_check("net.ipv4.ip_forward", CLONE_NEWIPC, &err), -EINVAL);
	assert_string_equal(err.msg, "config.json: linux.sysctl: `net.ipv4.ip_forward`: needs a "
				     "network namespace of its own");
	assert_int_equal(ctr_sysctl_check("kernel.shmmax", CLONE_NEWNET, &err), -EINVAL);
	assert_string_equal(err.msg, "config.json: linux.sysctl: `kernel.shmmax`: needs an ipc "
				     "namespace of its own");
	assert_int_equal(ctr_sysctl_check("kernel.hostname", all, &err), -EINVAL);
	assert_string_equal(err.msg, "config.json: linux.sysctl: `kernel.hostname`: set by "
				     "`hostname`, not as a sysctl");
	assert_int_equal(ctr_sysctl_check("net/../../kernel/panic", all, &err), -EINVAL);
	assert_string_equal(err.msg, "config.json: linux.sysctl: `net/../../kernel/panic`: not a "
				     "sysctl name");
	assert_int_equal(ctr_sysctl_path("net.ipv4.conf.eth0/100.forwarding", path, sizeof(path)), 0);
	assert_string_equal(path, "/proc/sys/net/ipv4/conf/eth0.100/forwarding");
	/* through config.json: the namespaces are known first */
	expect_error(NULL, ",\"sysctl\":{\"vm.swappiness\":\"10\"}", NULL,
		     "config.json: linux.sysctl: `vm.swappiness`: not in a namespace of the "
		     "container's (only net.*, kernel.msg*/sem/shm*, fs.mqueue.*, kernel.domainname)");
	expect_error(NULL, ",\"sysctl\":{\"net.core.somaxconn\":5}", NULL,
		     "config.json: linux.sysctl: `net.core.somaxconn`: the value must be a string");
}

static void test_refused_and_ignored_fields(void **state)
{
	struct ctr_host_features host = { .apparmor = true, .blkio_weight = true };
	struct ctr_config cfg;
	struct isolab_error err;

	(void)state;
	expect_error(NULL, ",\"resources\":{\"cpu\":{\"cpus\":\"0-\"}}", NULL,
		     "config.json: linux.resources.cpu.cpus: `0-`: not a list such as 0-3,5");
	expect_error(NULL, ",\"resources\":{\"cpu\":{\"mems\":0}}", NULL,
		     "config.json: linux.resources.cpu.mems: must be a string");
	assert_int_equal(map(NULL, ",\"resources\":{\"cpu\":{\"cpus\":\"0-1,3\",\"mems\":\"0\"}}",
			     NULL, &cfg, &err),
			 0);
	assert_string_equal(cfg.cpuset_cpus, "0-1,3");
	assert_string_equal(cfg.cpuset_mems, "0");
	ctr_config_free(&cfg);
	assert_int_equal(map(NULL, ",\"resources\":{\"cpu\":{\"cpus\":\"\"}}", NULL, &cfg, &err), 0);
	assert_null(cfg.cpuset_cpus);
	ctr_config_free(&cfg);
	expect_error(NULL, ",\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}]}",
		     NULL, "config.json: linux.resources.hugepageLimits: not supported by isolab-ctr");
	expect_error(",\"oomScoreAdj\":0,\"apparmorProfile\":\"docker-default\"", NULL, NULL,
		     "config.json: process.apparmorProfile: this host has no AppArmor");
	expect_error(",\"oomScoreAdj\":0,\"apparmorProfile\":\"docker-default\"", NULL, &host,
		     "config.json: process.apparmorProfile: not supported by isolab-ctr (the host "
		     "has AppArmor)");
	expect_error(",\"oomScoreAdj\":0,\"selinuxLabel\":\"system_u:system_r:svirt_lxc_net_t:s0\"",
		     NULL, NULL, "config.json: process.selinuxLabel: this host has no SELinux");
	expect_error(NULL, ",\"intelRdt\":{\"closID\":\"a\"}", NULL,
		     "config.json: linux.intelRdt: this host has no Intel RDT (resctrl)");
	expect_error(NULL, ",\"resources\":{\"blockIO\":{\"weight\":500}}", NULL,
		     "config.json: linux.resources.blockIO.weight: this host has no a blkio.weight "
		     "or io.weight file");
	/* where the host has it, the weight is taken */
	assert_int_equal(map(NULL, ",\"resources\":{\"blockIO\":{\"weight\":500}}", &host, &cfg, &err), 0);
	assert_int_equal(cfg.blkio_weight, 500);
	ctr_config_free(&cfg);
	/* empty, null and false are not set; unknown keys and other
	 * platforms' sections are ignored (config.md "Extensibility") */
	assert_int_equal(map(",\"windows\":{\"layerFolders\":[\"x\"]},\"futureField\":1",
			     ",\"resources\":{\"hugepageLimits\":[],\"cpu\":{\"shares\":null},"
			     "\"memory\":{\"disableOOMKiller\":false,\"kernelTCP\":5}},\"mountLabel\":\"\"",
			     NULL, &cfg, &err),
			 0);
	ctr_config_free(&cfg);
	for (size_t i = 0; ctr_oci_field(i) != NULL; i++)
		assert_non_null(ctr_oci_field(i)->why);
}

static void test_hooks(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	char *text;

	(void)state;
	assert_int_equal(map(",\"hooks\":{\"prestart\":[{\"path\":\"/bin/a\"}],"
			     "\"poststop\":[{\"path\":\"/bin/b\",\"args\":[\"b\",\"-x\"],"
			     "\"env\":[\"K=V\"],\"timeout\":5},{\"path\":\"/bin/c\"}]}",
			     NULL, NULL, &cfg, &err),
			 0);
	assert_int_equal(cfg.n_hooks[CTR_HOOK_PRESTART], 1);
	assert_int_equal(cfg.n_hooks[CTR_HOOK_CREATE_RUNTIME], 0);
	assert_int_equal(cfg.n_hooks[CTR_HOOK_POSTSTOP], 2);
	assert_string_equal(cfg.hooks[CTR_HOOK_POSTSTOP][0].args[1], "-x");
	assert_null(cfg.hooks[CTR_HOOK_POSTSTOP][0].args[2]);
	assert_string_equal(cfg.hooks[CTR_HOOK_POSTSTOP][0].env[0], "K=V");
	assert_int_equal(cfg.hooks[CTR_HOOK_POSTSTOP][0].timeout, 5);
	assert_int_equal(cfg.hooks[CTR_HOOK_POSTSTOP][1].timeout, 0);
	assert_non_null(cfg.hooks_json);
	/* the state dir's copy reads back the same */
	{
		struct ctr_config again;

		ctr_config_init(&again);
		assert_int_equal(ctr_hooks_from_text(cfg.hooks_json, &again, &err), 0);
		assert_int_equal(again.n_hooks[CTR_HOOK_POSTSTOP], 2);
		assert_string_equal(again.hooks[CTR_HOOK_POSTSTOP][1].path, "/bin/c");
		ctr_config_free(&again);
	}
	ctr_config_free(&cfg);
	expect_error(",\"hooks\":{\"poststart\":[{\"path\":\"rel\"}]}", NULL, NULL,
		     "config.json: hooks.poststart[0].path: must be an absolute path");
	expect_error(",\"hooks\":{\"createRuntime\":[{\"path\":\"/x\"},{\"args\":[]}]}", NULL, NULL,
		     "config.json: hooks.createRuntime[1].path: missing (required)");
	expect_error(",\"hooks\":{\"prestart\":[{\"path\":\"/x\",\"timeout\":0}]}", NULL, NULL,
		     "config.json: hooks.prestart[0].timeout: must be a positive integer (seconds)");
	expect_error(",\"hooks\":{\"prestart\":{}}", NULL, NULL,
		     "config.json: hooks.prestart: must be an array");
	text = ctr_hook_state("{\"ociVersion\":\"1.1.0\",\"status\":\"created\",\"pid\":7}", "creating");
	assert_string_equal(text, "{\"ociVersion\":\"1.1.0\",\"status\":\"creating\",\"pid\":7}");
	free(text);
	assert_null(ctr_hook_state("[1]", "creating"));
	assert_string_equal(ctr_hook_kind_name(CTR_HOOK_START_CONTAINER), "startContainer");
}

static const char mountinfo[] =
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
	"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
	"41 30 0:38 /outer /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"42 30 0:39 / /sys/fs/cgroup/net_cls rw,relatime - cgroup cgroup rw,net_cls\n";
static const char self_cgroup[] =
	"9:name=systemd:/user.slice\n4:memory:/isolab-ctr/web\n2:cpu,cpuacct:/\n"
	"8:pids:/outer/isolab-ctr/web\n0::/\n";

static void test_cgroupfs_plan(void **state)
{
	struct ctr_cgroupfs_entry e[CTR_CGROUPFS_MAX];
	struct isolab_error err = { 0 };

	(void)state;
	assert_int_equal(ctr_cgroupfs_plan(mountinfo, self_cgroup, e, CTR_CGROUPFS_MAX, &err), 4);
	assert_string_equal(e[0].name, "cpu,cpuacct");
	assert_string_equal(e[0].controllers, "cpu,cpuacct");
	assert_string_equal(e[0].source, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(e[1].name, "memory");
	assert_string_equal(e[1].source, "/sys/fs/cgroup/memory/isolab-ctr/web");
	assert_string_equal(e[2].controllers, "name=systemd");
	assert_string_equal(e[2].source, "/sys/fs/cgroup/systemd/user.slice");
	/* a nested host: the mount's root is a prefix of the path */
	assert_string_equal(e[3].source, "/sys/fs/cgroup/pids/isolab-ctr/web");
	assert_int_equal(ctr_cgroupfs_plan(mountinfo, self_cgroup, e, 2, &err), -E2BIG);
	assert_string_equal(err.msg, "more than 2 cgroup v1 hierarchies");
	assert_int_equal(ctr_cgroupfs_plan("1 2 3\n", self_cgroup, e, 4, &err), -EINVAL);
	assert_string_equal(err.msg, "mountinfo line 1: not `... - TYPE SOURCE OPTIONS`");
}

static void test_cpu_shares(void **state)
{
	struct ctr_cgroup_write w[CTR_CGROUP_MAX_WRITES];
	struct ctr_config cfg;
	struct isolab_error err;
	int n;

	(void)state;
	assert_int_equal(map(NULL, ",\"resources\":{\"cpu\":{\"shares\":512}}", NULL, &cfg, &err), 0);
	assert_int_equal(cfg.cpu_shares, 512);
	cfg.pids_limit = 0;
	n = ctr_cgroup_plan_writes(&cfg, CTR_CGROUP_V1, w);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].file, "cpu.shares");
	assert_string_equal(w[0].value, "512");
	n = ctr_cgroup_plan_writes(&cfg, CTR_CGROUP_V2, w);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].file, "cpu.weight");
	assert_string_equal(w[0].value, "20"); /* 1 + (512-2)*9999/262142 */
	ctr_config_free(&cfg);
	/* 0 is unset (containerd sends it), as runc reads it */
	assert_int_equal(map(NULL, ",\"resources\":{\"cpu\":{\"shares\":0}}", NULL, &cfg, &err), 0);
	assert_int_equal(cfg.cpu_shares, 0);
	ctr_config_free(&cfg);
}

static void test_blkio_writes(void **state)
{
	struct ctr_blkio_limit limits[2] = { { CTR_BLKIO_READ_BPS, 8, 0, 1048576 },
					     { CTR_BLKIO_WRITE_IOPS, 253, 1, 100 } };
	struct ctr_config cfg;
	struct ctr_cgroup_write w;

	(void)state;
	ctr_config_init(&cfg);
	cfg.blkio_limits = limits;
	cfg.n_blkio_limits = 2;
	assert_int_equal(ctr_cgroup_blkio_write(&cfg, CTR_CGROUP_V1, 0, &w), -EAGAIN);
	assert_int_equal(ctr_cgroup_blkio_write(&cfg, CTR_CGROUP_V1, 1, &w), 0);
	assert_string_equal(w.file, "blkio.throttle.read_bps_device");
	assert_string_equal(w.value, "8:0 1048576");
	assert_int_equal(ctr_cgroup_blkio_write(&cfg, CTR_CGROUP_V2, 2, &w), 0);
	assert_string_equal(w.file, "io.max");
	assert_string_equal(w.value, "253:1 wiops=100");
	assert_int_equal(ctr_cgroup_blkio_write(&cfg, CTR_CGROUP_V2, 3, &w), -ENOENT);
	cfg.blkio_weight = 500;
	assert_int_equal(ctr_cgroup_blkio_write(&cfg, CTR_CGROUP_HYBRID, 0, &w), 0);
	assert_string_equal(w.file, "blkio.weight");
	assert_string_equal(w.value, "500");
	assert_int_equal(ctr_cgroup_blkio_write(&cfg, CTR_CGROUP_V2, 0, &w), 0);
	assert_string_equal(w.value, "default 4950"); /* runc's 1 + (500-10)*9999/990 */
	cfg.blkio_limits = NULL;
	cfg.n_blkio_limits = 0;
	ctr_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_extras),
		cmocka_unit_test(test_linux_extras),
		cmocka_unit_test(test_sysctl_allow_list),
		cmocka_unit_test(test_refused_and_ignored_fields),
		cmocka_unit_test(test_hooks),
		cmocka_unit_test(test_cgroupfs_plan),
		cmocka_unit_test(test_blkio_writes),
		cmocka_unit_test(test_cpu_shares),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
