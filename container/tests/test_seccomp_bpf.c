/* test_seccomp_bpf.c: the default profile's filter generated at build time
 * (container/seccomp_gen.c) against libseccomp's for the same rule set
 * (seccomp_build.c): found only for that rule set, the same bytes, and,
 * run in a small classic-BPF interpreter over every system call number of
 * x86_64, x86 and x32 with a set of argument values, the same decisions as
 * the profile's model (ctr_seccomp_decide). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "container/config.h"
#include "container/seccomp.h"

#define KERNEL_6_1 (6u << 16 | 1)

/* The resolved default profile, asserted. */
#define DEFAULT_FOR(caps, kernel, p) assert_int_equal(ctr_seccomp_default_for((caps), (kernel), (p)), 0)

static void test_precomputed_is_libseccomps(void **state)
{
	(void)state;
	const struct ctr_seccomp_precomputed *pre;
	_cleanup_free_ struct sock_filter *insns = NULL;
	struct ctr_seccomp_profile *p = NULL;
	struct isolab_error err = { 0 };
	size_t len = 0;

	DEFAULT_FOR(ctr_default_caps(), KERNEL_6_1, &p);
	pre = ctr_seccomp_find_precomputed(p);
	assert_non_null(pre);
	assert_int_equal(ctr_seccomp_export(p, &insns, &len, &err), 0);
	assert_int_equal(pre->len, len);
	assert_memory_equal(pre->insns, insns, len * sizeof(*insns));
	ctr_seccomp_free(p);
}

/* Any other rule set has another key and goes through libseccomp. */
static void test_other_rule_sets_not_precomputed(void **state)
{
	(void)state;
	struct ctr_seccomp_profile *p = NULL;

	DEFAULT_FOR(ctr_default_caps() | 1ull << CAP_SYS_ADMIN, KERNEL_6_1, &p);
	assert_null(ctr_seccomp_find_precomputed(p));
	ctr_seccomp_free(p);
	DEFAULT_FOR(ctr_default_caps() & ~(1ull << CAP_SYS_CHROOT), KERNEL_6_1, &p);
	assert_null(ctr_seccomp_find_precomputed(p));
	ctr_seccomp_free(p);
	DEFAULT_FOR(ctr_default_caps(), 4u << 16 | 4, &p); /* no ptrace before 4.8 */
	assert_null(ctr_seccomp_find_precomputed(p));
	ctr_seccomp_free(p);
	assert_int_equal(ctr_seccomp_default(&p), 0); /* unresolved */
	assert_null(ctr_seccomp_find_precomputed(p));
	p->default_errno = EACCES;
	assert_null(ctr_seccomp_find_precomputed(p));
	ctr_seccomp_free(p);
	/* one rule changed */
	DEFAULT_FOR(ctr_default_caps(), KERNEL_6_1, &p);
	p->rules[p->n_rules - 1].errno_ret = 2;
	assert_null(ctr_seccomp_find_precomputed(p));
	ctr_seccomp_free(p);
}

/* A name with a space in it is not two names. */
static void test_key_unambiguous(void **state)
{
	(void)state;
	struct ctr_seccomp_profile *one = NULL, *two = NULL;
	_cleanup_free_ char *k1 = NULL, *k2 = NULL;
	cJSON *d1 = cJSON_Parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
				"[{\"names\":[\"read write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	cJSON *d2 = cJSON_Parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
				"[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	struct isolab_error err = { 0 };

	assert_int_equal(ctr_seccomp_from_json(d1, "p", false, &one, &err), 0);
	assert_int_equal(ctr_seccomp_from_json(d2, "p", false, &two, &err), 0);
	assert_int_equal(ctr_seccomp_key(one, &k1), 0);
	assert_int_equal(ctr_seccomp_key(two, &k2), 0);
	assert_string_not_equal(k1, k2);
	ctr_seccomp_free(one);
	ctr_seccomp_free(two);
	cJSON_Delete(d1);
	cJSON_Delete(d2);
}

/* Runs a classic BPF program on one seccomp_data, as the kernel would
 * (the instructions libseccomp emits; anything else fails the test). */
static uint32_t run_filter(const struct sock_filter *f, size_t n, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		size_t skip = 0;

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(i->k % 4 == 0 && i->k + 4 <= sizeof(*d));
			memcpy(&a, (const char *)d + i->k, sizeof(a));
			break;
		case BPF_LD | BPF_IMM:
			a = i->k;
			break;
		case BPF_LDX | BPF_IMM:
			x = i->k;
			break;
		case BPF_LD | BPF_MEM:
			assert_true(i->k < BPF_MEMWORDS);
			a = mem[i->k];
			break;
		case BPF_ST:
			assert_true(i->k < BPF_MEMWORDS);
			mem[i->k] = a;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= i->k;
			break;
		case BPF_MISC | BPF_TAX:
			x = a;
			break;
		case BPF_JMP | BPF_JA:
			skip = i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			skip = a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			skip = a > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			skip = a >= i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			skip = (a & i->k) ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_RET | BPF_A:
			return a;
		default:
			fail_msg("unexpected instruction %#x at %zu", i->code, pc);
		}
		pc += skip;
	}
	(void)x;
	fail_msg("the program ran off its end");
	return 0;
}

/* The model's answer as the kernel's return value. */
static uint32_t modelled(const struct ctr_seccomp_profile *p, const char *name,
			 const uint64_t args[CTR_SCMP_MAX_ARGS])
{
	int e = 0;
	enum ctr_scmp_action a = name ? ctr_seccomp_decide(p, name, args, &e) : p->default_action;

	if (name == NULL)
		e = p->default_errno;
	assert_true(a == CTR_SCMP_ALLOW || a == CTR_SCMP_ERRNO);
	return a == CTR_SCMP_ALLOW ? SECCOMP_RET_ALLOW : SECCOMP_RET_ERRNO | (uint32_t)e;
}

static void test_precomputed_decisions(void **state)
{
	(void)state;
	static const struct {
		uint32_t scmp_arch, audit_arch, nr_base;
	} arches[] = {
		{ SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64, 0 },
		{ SCMP_ARCH_X86, AUDIT_ARCH_I386, 0 },
		{ SCMP_ARCH_X32, AUDIT_ARCH_X86_64, 0x40000000 /* __X32_SYSCALL_BIT */ },
	};
	/* personas, AF_VSOCK and others, clone flags with and without
	 * namespaces, the high bit of a 32-bit argument */
	static const uint64_t values[] = {
		0, 1, 2, 8, 40, 0x20000, 0x20008, 0x40000, 0xffffffff, 0x80000000,
		CLONE_NEWUSER | 17, CLONE_NEWNS, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | 17,
	};
	const struct ctr_seccomp_precomputed *pre;
	struct ctr_seccomp_profile *p = NULL;
	size_t named = 0;

	DEFAULT_FOR(ctr_default_caps(), KERNEL_6_1, &p);
	pre = ctr_seccomp_find_precomputed(p);
	assert_non_null(pre);
	for (size_t a = 0; a < sizeof(arches) / sizeof(arches[0]); a++) {
		for (uint32_t nr = 0; nr < 1024; nr++) {
			int full = (int)(arches[a].nr_base + nr);
			char *name = seccomp_syscall_resolve_num_arch(arches[a].scmp_arch, full);

			named += name != NULL;
			for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
				struct seccomp_data d = { .nr = full, .arch = arches[a].audit_arch };
				uint64_t args[CTR_SCMP_MAX_ARGS] = { values[v], 0, 0, 0, 0, 0 };
				uint32_t got, want;

				memcpy(d.args, args, sizeof(d.args));
				got = run_filter(pre->insns, pre->len, &d);
				want = modelled(p, name, args);
				if (got != want)
					fail_msg("arch %#x nr %d (%s) arg0 %#llx: filter %#x, model %#x",
						 arches[a].audit_arch, full, name ? name : "?",
						 (unsigned long long)values[v], got, want);
			}
			free(name);
		}
	}
	assert_true(named > 900); /* the three tables were there */
	ctr_seccomp_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precomputed_is_libseccomps),
		cmocka_unit_test(test_other_rule_sets_not_precomputed),
		cmocka_unit_test(test_key_unambiguous),
		cmocka_unit_test(test_precomputed_decisions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
