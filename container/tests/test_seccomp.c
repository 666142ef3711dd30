/* test_seccomp.c: seccomp profiles (container/seccomp.c,
 * seccomp_default.c): Docker's and OCI's JSON into the struct, the errors,
 * Docker's conditions (capabilities, architecture, kernel) and the
 * default profile's decisions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <string.h>

#include "container/config.h"
#include "container/seccomp.h"

#define KERNEL_6_1 (6u << 16 | 1)

static int from_json(const char *json, bool oci, struct ctr_seccomp_profile **p,
		     struct isolab_error *err)
{
	cJSON *doc = cJSON_Parse(json);
	int rc;

	assert_non_null(doc);
	rc = ctr_seccomp_from_json(doc, "p.json", oci, p, err);
	cJSON_Delete(doc);
	return rc;
}

static enum ctr_scmp_action decide(const struct ctr_seccomp_profile *p, const char *name,
				   uint64_t arg0, int *errno_ret)
{
	uint64_t args[CTR_SCMP_MAX_ARGS] = { arg0 };

	return ctr_seccomp_decide(p, name, args, errno_ret);
}

static void test_docker_format(void **state)
{
	(void)state;
	struct ctr_seccomp_profile *p = NULL;
	struct isolab_error err = { 0 };
	int e = 0;

	assert_int_equal(from_json(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
		"\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":"
		"[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},{\"architecture\":\"SCMP_ARCH_AARCH64\","
		"\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
		"\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
		"{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}],"
		"\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
		"{\"names\":[\"s390_runtime_instr\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"s390x\"]}},"
		"{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"4.8\"}},"
		"{\"name\":\"getpid\",\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}",
		false, &p, &err), 0);
	assert_int_equal(p->default_action, CTR_SCMP_ERRNO);
	assert_int_equal(p->default_errno, 1);
	assert_int_equal(p->n_arches, 3);
	assert_string_equal(p->arches[0], "x86_64");
	assert_string_equal(p->arches[1], "x86");
	assert_string_equal(p->arches[2], "x32");
	assert_int_equal(p->n_rules, 6);
	assert_int_equal(p->rules[1].caps_all, 1ull << CAP_SYS_ADMIN);
	assert_int_equal(p->rules[2].caps_none, 1ull << CAP_SYS_ADMIN);
	assert_int_equal(p->rules[2].args[0].op, CTR_SCMP_CMP_MASKED_EQ);
	assert_int_equal(p->rules[2].args[0].value, 0x7e020000);
	assert_true(p->rules[3].other_arch);
	assert_int_equal(p->rules[4].min_kernel, 4u << 16 | 8);
	assert_int_equal(p->rules[5].errno_ret, 13);

	/* without CAP_SYS_ADMIN, on 4.4: mount refused, plain clone only,
	 * ptrace refused; the s390 rule is gone */
	ctr_seccomp_resolve(p, ctr_default_caps(), 4u << 16 | 4);
	assert_int_equal(p->n_rules, 3);
	assert_int_equal(decide(p, "read", 0, &e), CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "mount", 0, &e), CTR_SCMP_ERRNO);
	assert_int_equal(e, 1);
	assert_int_equal(decide(p, "clone", 0x11, &e), CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "clone", CLONE_NEWUSER | 0x11, &e), CTR_SCMP_ERRNO);
	assert_int_equal(decide(p, "ptrace", 0, &e), CTR_SCMP_ERRNO);
	assert_int_equal(decide(p, "getpid", 0, &e), CTR_SCMP_ERRNO);
	assert_int_equal(e, 13);
	ctr_seccomp_free(p);
}

static void test_oci_format(void **state)
{
	(void)state;
	struct ctr_seccomp_profile *p = NULL;
	struct isolab_error err = { 0 };
	int e = 0;

	assert_int_equal(from_json(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
		"\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
		"\"syscalls\":[{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":22,"
		"\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_KILL_PROCESS\",\"args\":["
		"{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_LOG\"},{\"names\":[\"tkill\"],\"action\":\"SCMP_ACT_KILL\"},"
		"{\"names\":[\"alarm\"],\"action\":\"SCMP_ACT_TRAP\"}]}",
		true, &p, &err), 0);
	assert_int_equal(p->n_arches, 2);
	assert_int_equal(p->flags, CTR_SCMP_FLAG_LOG);
	/* one index twice: alternatives; two indexes: both must hold */
	assert_int_equal(decide(p, "personality", 8, &e), CTR_SCMP_ERRNO);
	assert_int_equal(e, 22);
	assert_int_equal(decide(p, "personality", 9, &e), CTR_SCMP_ERRNO);
	assert_int_equal(decide(p, "personality", 0, &e), CTR_SCMP_ALLOW);
	uint64_t args[CTR_SCMP_MAX_ARGS] = { 1, 9 };
	assert_int_equal(ctr_seccomp_decide(p, "kill", args, &e), CTR_SCMP_KILL_PROCESS);
	args[1] = 15;
	assert_int_equal(ctr_seccomp_decide(p, "kill", args, &e), CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "uname", 0, &e), CTR_SCMP_LOG);
	assert_int_equal(decide(p, "tkill", 0, &e), CTR_SCMP_KILL_THREAD);
	assert_int_equal(decide(p, "alarm", 0, &e), CTR_SCMP_TRAP);
	ctr_seccomp_free(p);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		bool oci;
		const char *msg;
	} cases[] = {
		{ "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", false,
		  "p.json: defaultAction: SCMP_ACT_NOTIFY is not supported (isolab-ctr has no seccomp agent)" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		  true, "p.json: syscalls[0].action: SCMP_ACT_NOTIFY is not supported (isolab-ctr has no seccomp agent)" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/a.sock\"}", true,
		  "p.json: listenerPath: not supported (isolab-ctr has no seccomp agent)" },
		{ "{}", false, "p.json: defaultAction: missing (required)" },
		{ "{\"defaultAction\":\"SCMP_ACT_MAYBE\"}", false,
		  "p.json: defaultAction: unknown action `SCMP_ACT_MAYBE`" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"X86\"]}", true,
		  "p.json: architectures[0]: unknown architecture `X86`" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]}", true,
		  "p.json: syscalls[0]: names: missing (required)" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		  "\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}", true,
		  "p.json: syscalls[0].args[0]: index must be 0 to 5" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		  "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_ABOUT\"}]}]}", true,
		  "p.json: syscalls[0].args[0]: unknown op `SCMP_CMP_ABOUT`" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}", true,
		  "p.json: flags: unsupported flag `SECCOMP_FILTER_FLAG_NEW_LISTENER`" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-3}", false,
		  "p.json: defaultErrnoRet: must be an errno number from 0 to 4095" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\","
		  "\"includes\":{\"caps\":[\"CAP_NOPE\"]}}]}", false,
		  "p.json: syscalls[0].includes.caps: unknown capability `CAP_NOPE`" },
		{ "[]", false, "p.json: (document): must be a JSON object" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctr_seccomp_profile *p = (void *)1;
		struct isolab_error err = { 0 };

		assert_int_equal(from_json(cases[i].json, cases[i].oci, &p, &err), -EINVAL);
		assert_null(p);
		assert_string_equal(err.msg, cases[i].msg);
	}
}

static void test_kernel_version(void **state)
{
	(void)state;
	assert_int_equal(ctr_seccomp_kernel_version("6.1.0-18-amd64"), 6u << 16 | 1);
	assert_int_equal(ctr_seccomp_kernel_version("4.8"), 4u << 16 | 8);
	assert_int_equal(ctr_seccomp_kernel_version("6.18.2"), 6u << 16 | 18);
	assert_int_equal(ctr_seccomp_kernel_version("x.1"), 0);
	assert_int_equal(ctr_seccomp_kernel_version("6"), 0);
}

static struct ctr_seccomp_profile *default_for(uint64_t caps, unsigned kernel)
{
	struct ctr_seccomp_profile *p = NULL;

	assert_int_equal(ctr_seccomp_default_for(caps, kernel, &p), 0);
	return p;
}

static void test_default_profile_refuses(void **state)
{
	(void)state;
	static const char *const refused[] = {
		"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
		"open_by_handle_at", "bpf", "perf_event_open", "add_key", "keyctl", "request_key",
		"unshare", "setns", "mount", "umount2", "pivot_root", "swapon", "swapoff", "reboot",
		"settimeofday", "clock_settime", "userfaultfd",
		"iopl", "ioperm", "acct", "lookup_dcookie", "quotactl", "syslog", "vhangup",
		"nfsservctl", "fsopen", "move_mount", "open_tree", "kcmp", 
		"get_kernel_syms", "create_module", "uselib", "ustat", "sysfs", "_sysctl",
		"mbind", "set_mempolicy",
	};
	struct ctr_seccomp_profile *p = default_for(ctr_default_caps(), KERNEL_6_1);
	int e = 0;

	assert_int_equal(p->default_action, CTR_SCMP_ERRNO);
	assert_int_equal(p->default_errno, EPERM);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (decide(p, refused[i], 0, &e) != CTR_SCMP_ERRNO || e != EPERM)
			fail_msg("%s is not refused with EPERM", refused[i]);
	}
	/* CAP_SYS_CHROOT is in the default set: chroot stays allowed */
	assert_int_equal(decide(p, "chroot", 0, &e), CTR_SCMP_ALLOW);
	/* namespaces through clone: refused; plain fork-style clone: allowed */
	assert_int_equal(decide(p, "clone", CLONE_NEWUSER | 17, &e), CTR_SCMP_ERRNO);
	assert_int_equal(decide(p, "clone", CLONE_NEWNS, &e), CTR_SCMP_ERRNO);
	assert_int_equal(decide(p, "clone", CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | 17, &e),
			 CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "clone3", 0, &e), CTR_SCMP_ERRNO);
	assert_int_equal(e, ENOSYS);
	/* personality: the five harmless values only */
	assert_int_equal(decide(p, "personality", 0, &e), CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "personality", 0xffffffff, &e), CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "personality", 0x0040000 /* ADDR_NO_RANDOMIZE */, &e),
			 CTR_SCMP_ERRNO);
	/* sockets: any family but AF_VSOCK (40) */
	assert_int_equal(decide(p, "socket", 2, &e), CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "socket", 40, &e), CTR_SCMP_ERRNO);
	/* ordinary calls, and ptrace on a 4.8+ kernel */
	assert_int_equal(decide(p, "read", 0, &e), CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "execve", 0, &e), CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "arch_prctl", 0, &e), CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "ptrace", 0, &e), CTR_SCMP_ALLOW);
	assert_int_equal(decide(p, "s390_runtime_instr", 0, &e), CTR_SCMP_ERRNO);
	ctr_seccomp_free(p);
	/* before 4.8 ptrace could bypass seccomp: refused */
	p = default_for(ctr_default_caps(), 4u << 16 | 4);
	assert_int_equal(decide(p, "ptrace", 0, &e), CTR_SCMP_ERRNO);
	ctr_seccomp_free(p);
}

static void test_default_profile_capabilities(void **state)
{
	(void)state;
	static const struct {
		int cap;
		const char *name;
	} relax[] = {
		{ CAP_SYS_ADMIN, "mount" },       { CAP_SYS_ADMIN, "unshare" },
		{ CAP_SYS_ADMIN, "setns" },       { CAP_SYS_ADMIN, "clone3" },
		{ CAP_SYS_BOOT, "reboot" },       { CAP_SYS_MODULE, "finit_module" },
		{ CAP_SYS_TIME, "clock_settime" }, { CAP_SYS_PTRACE, "kcmp" },
		{ CAP_SYS_RAWIO, "iopl" },        { CAP_SYS_PACCT, "acct" },
		{ CAP_SYS_TTY_CONFIG, "vhangup" }, { CAP_SYSLOG, "syslog" },
		{ CAP_BPF, "bpf" },               { CAP_PERFMON, "perf_event_open" },
		{ CAP_DAC_READ_SEARCH, "open_by_handle_at" }, { CAP_SYS_NICE, "mbind" },
	};
	int e = 0;

	for (size_t i = 0; i < sizeof(relax) / sizeof(relax[0]); i++) {
		struct ctr_seccomp_profile *p =
			default_for(ctr_default_caps() | 1ull << relax[i].cap, KERNEL_6_1);

		assert_int_equal(decide(p, relax[i].name, 0, &e), CTR_SCMP_ALLOW);
		assert_int_equal(decide(p, "keyctl", 0, &e), CTR_SCMP_ERRNO);
		ctr_seccomp_free(p);
	}
	/* CAP_SYS_ADMIN: clone with namespace flags too */
	struct ctr_seccomp_profile *p = default_for(1ull << CAP_SYS_ADMIN, KERNEL_6_1);
	assert_int_equal(decide(p, "clone", CLONE_NEWUSER, &e), CTR_SCMP_ALLOW);
	ctr_seccomp_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_format),
		cmocka_unit_test(test_oci_format),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_kernel_version),
		cmocka_unit_test(test_default_profile_refuses),
		cmocka_unit_test(test_default_profile_capabilities),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
