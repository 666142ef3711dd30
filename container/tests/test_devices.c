/* test_devices.c: device rules (container/devices.c): the decision ("last
 * match wins", deny when none matches), the default list, the cgroup v1
 * lines and the shape of the cgroup v2 device program; and the OCI
 * linux.resources.devices / linux.devices mapping (oci_policy.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container/config.h"
#include "container/devices.h"
#include "container/oci_policy.h"

#define W CTR_DEV_WILDCARD
#define R CTR_DEV_ACC_READ
#define WR CTR_DEV_ACC_WRITE
#define M CTR_DEV_ACC_MKNOD
#define RWM CTR_DEV_ACC_ALL

static bool default_allows(char type, unsigned major, unsigned minor, unsigned access)
{
	return ctr_dev_allowed(ctr_dev_default_rules, ctr_dev_n_default_rules, type, major, minor,
			       access);
}

static void test_default_list(void **state)
{
	(void)state;
	/* the nodes the runtime makes in /dev, and pts, ptmx, tun */
	static const unsigned ok[][2] = { { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 },
					  { 5, 0 }, { 5, 2 }, { 136, 0 }, { 136, 77 }, { 10, 200 } };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(default_allows('c', ok[i][0], ok[i][1], R | WR | M));
	/* a host disk: it may be made (as runc), never opened */
	assert_true(default_allows('b', 8, 0, M));
	assert_false(default_allows('b', 8, 0, R));
	assert_false(default_allows('b', 8, 0, WR));
	/* /dev/kmsg, /dev/mem, /dev/console, /dev/fuse */
	assert_false(default_allows('c', 1, 11, WR));
	assert_false(default_allows('c', 1, 11, R));
	assert_false(default_allows('c', 1, 1, R));
	assert_false(default_allows('c', 5, 1, R));
	assert_false(default_allows('c', 10, 229, R | WR));
	/* read and mknod of null at once is allowed; pts 136 only as char */
	assert_false(default_allows('b', 136, 0, R));
}

static void test_last_match_wins(void **state)
{
	(void)state;
	const struct ctr_dev_rule rules[] = {
		{ false, 'a', W, W, RWM },
		{ true, 'c', 1, W, RWM },   /* all of major 1 */
		{ false, 'c', 1, 11, WR },  /* but no writing kmsg */
		{ true, 'c', 1, 11, WR },   /* ... until this later allow */
		{ false, 'c', 1, 1, RWM },  /* and never /dev/mem */
	};
	assert_true(ctr_dev_allowed(rules, 5, 'c', 1, 11, WR));
	assert_true(ctr_dev_allowed(rules, 4, 'c', 1, 11, WR));
	assert_false(ctr_dev_allowed(rules, 3, 'c', 1, 11, WR));
	assert_true(ctr_dev_allowed(rules, 3, 'c', 1, 11, R));
	assert_false(ctr_dev_allowed(rules, 5, 'c', 1, 1, R));
	assert_true(ctr_dev_allowed(rules, 5, 'c', 1, 3, R));
	assert_false(ctr_dev_allowed(rules, 5, 'b', 1, 3, R));
	/* no rule matches: deny */
	assert_false(ctr_dev_allowed(rules + 1, 1, 'c', 2, 0, R));
	assert_false(ctr_dev_allowed(NULL, 0, 'c', 1, 3, R));
	/* a rule matches only when it grants every access bit asked for */
	const struct ctr_dev_rule ro[] = { { true, 'c', 1, 3, R } };
	assert_true(ctr_dev_allowed(ro, 1, 'c', 1, 3, R));
	assert_false(ctr_dev_allowed(ro, 1, 'c', 1, 3, R | WR));
}

static void test_effective_order(void **state)
{
	(void)state;
	const struct ctr_dev_rule bundle[] = { { false, 'a', W, W, RWM },
					       { false, 'c', 1, 3, RWM } };
	struct ctr_dev_node node = { .path = "/dev/fuse", .type = 'c', .major = 10, .minor = 229 };
	struct ctr_dev_rule *eff = NULL;
	size_t n = 0;

	assert_int_equal(ctr_dev_effective_rules(bundle, 2, &node, 1, &eff, &n), 0);
	assert_int_equal(n, 2 + 1 + ctr_dev_n_default_rules);
	/* the bundle's rules first, its node next, the defaults last (runc) */
	assert_false(eff[1].allow);
	assert_true(eff[2].allow);
	assert_int_equal(eff[2].major, 10);
	assert_int_equal(eff[2].minor, 229);
	assert_true(ctr_dev_allowed(eff, n, 'c', 10, 229, R | WR));
	assert_true(ctr_dev_allowed(eff, n, 'c', 1, 3, R)); /* defaults win, as in runc */
	free(eff);
}

static void test_rule_line(void **state)
{
	(void)state;
	char buf[48];
	struct ctr_dev_rule r = { true, 'c', 136, W, RWM };

	ctr_dev_rule_line(&r, buf, sizeof(buf));
	assert_string_equal(buf, "c 136:* rwm");
	r = (struct ctr_dev_rule){ true, 'b', W, W, M };
	ctr_dev_rule_line(&r, buf, sizeof(buf));
	assert_string_equal(buf, "b *:* m");
	r = (struct ctr_dev_rule){ false, 'a', W, W, R | WR };
	ctr_dev_rule_line(&r, buf, sizeof(buf));
	assert_string_equal(buf, "a *:* rw");
}

static void test_parse_rule(void **state)
{
	(void)state;
	struct ctr_dev_rule r;

	assert_int_equal(ctr_dev_parse_rule("c 1:3 mr", &r), 0);
	assert_true(r.allow);
	assert_int_equal(r.type, 'c');
	assert_int_equal(r.major, 1);
	assert_int_equal(r.minor, 3);
	assert_int_equal(r.access, M | R);
	assert_int_equal(ctr_dev_parse_rule("a *:* rwm", &r), 0);
	assert_int_equal(r.type, 'a');
	assert_int_equal(r.major, W);
	assert_int_equal(r.minor, W);
	assert_int_equal(r.access, RWM);
	assert_int_equal(ctr_dev_parse_rule("b 7:* w", &r), 0);
	assert_int_equal(r.major, 7);
	assert_int_equal(r.minor, W);
	assert_int_equal(ctr_dev_parse_rule("b 4294967295:0 r", &r), 0);
	assert_int_equal(r.major, 4294967295LL);
	static const char *const bad[] = { "", "c", "c 1:3", "c 1:3 ", "x 1:3 r", "c1:3 r",
					   "c 1 r", "c :3 r", "c 1: r", "c 4294967296:0 r",
					   "c -1:3 r", "c 1:3 rx", "c 1:3  r", "c 12345678901:0 r" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ctr_dev_parse_rule(bad[i], &r), -EINVAL);
}

static void test_allows_all(void **state)
{
	(void)state;
	struct ctr_dev_rule all = { true, 'a', W, W, RWM }, deny_all = { false, 'a', W, W, RWM };
	struct ctr_dev_rule null = { true, 'c', 1, 3, RWM }, deny_disk = { false, 'b', 8, W, RWM };
	struct ctr_dev_rule partial = { true, 'a', W, W, M };
	struct ctr_dev_rule *eff = NULL;
	size_t n = 0;

	assert_false(ctr_dev_allows_all(NULL, 0));
	assert_true(ctr_dev_allows_all(&all, 1));
	assert_false(ctr_dev_allows_all(&partial, 1));
	assert_true(ctr_dev_allows_all((struct ctr_dev_rule[]){ deny_all, all, null }, 3));
	assert_false(ctr_dev_allows_all((struct ctr_dev_rule[]){ all, deny_disk }, 2));
	assert_false(ctr_dev_allows_all((struct ctr_dev_rule[]){ all, deny_all }, 2));
	/* the defaults alone do not, with an allow-all before them they do */
	assert_int_equal(ctr_dev_effective_rules(NULL, 0, NULL, 0, &eff, &n), 0);
	assert_false(ctr_dev_allows_all(eff, n));
	free(eff);
	assert_int_equal(ctr_dev_effective_rules(&all, 1, NULL, 0, &eff, &n), 0);
	assert_true(ctr_dev_allows_all(eff, n));
	for (unsigned major = 0; major < 300; major += 7)
		assert_true(ctr_dev_allowed(eff, n, 'b', major, 0, RWM));
	free(eff);
}

static void test_v1_plan_default(void **state)
{
	(void)state;
	struct ctr_dev_v1_write *w = NULL;
	size_t n = 0;
	struct isolab_error err = { 0 };

	assert_int_equal(ctr_dev_plan_v1(ctr_dev_default_rules, ctr_dev_n_default_rules, &w, &n, &err), 0);
	assert_int_equal(n, 1 + ctr_dev_n_default_rules);
	assert_string_equal(w[0].file, "devices.deny");
	assert_string_equal(w[0].line, "a");
	assert_string_equal(w[1].file, "devices.allow");
	assert_string_equal(w[1].line, "c *:* m");
	assert_string_equal(w[3].line, "c 1:3 rwm");
	assert_string_equal(w[n - 1].line, "c 10:200 rwm");
	free(w);
}

static void test_v1_plan_denies(void **state)
{
	(void)state;
	struct ctr_dev_v1_write *w = NULL;
	size_t n = 0;
	struct isolab_error err = { 0 };
	/* a later deny removes access from an earlier, equal or narrower allow */
	const struct ctr_dev_rule ok[] = {
		{ true, 'c', 1, 11, RWM }, { false, 'c', 1, 11, WR }, { false, 'c', 1, W, M },
	};
	assert_int_equal(ctr_dev_plan_v1(ok, 3, &w, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(w[1].file, "devices.allow");
	assert_string_equal(w[1].line, "c 1:11 r");
	free(w);
	/* a deny inside an earlier wildcard allow cannot be written on v1 */
	const struct ctr_dev_rule narrow[] = { { true, 'c', 1, W, RWM }, { false, 'c', 1, 11, WR } };
	assert_int_equal(ctr_dev_plan_v1(narrow, 2, &w, &n, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "device rule `deny c 1:11 w`: narrower than an earlier `allow`, which cgroup v1 cannot express");
	/* allow-all then deny some: a deny list */
	const struct ctr_dev_rule open[] = { { false, 'a', W, W, RWM }, { true, 'a', W, W, RWM },
					     { false, 'b', 8, W, RWM } };
	assert_int_equal(ctr_dev_plan_v1(open, 3, &w, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(w[0].file, "devices.allow");
	assert_string_equal(w[0].line, "a");
	assert_string_equal(w[1].file, "devices.deny");
	assert_string_equal(w[1].line, "b 8:* rwm");
	free(w);
}

/* Runs the generated program on one context, as the kernel would. */
static int run_program(const struct bpf_insn *p, size_t n, uint32_t ctx[3])
{
	uint64_t reg[11] = { 0 };

	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint8_t cls = BPF_CLASS(i->code), op = BPF_OP(i->code);

		if (cls == BPF_LDX) {
			assert_int_equal(i->src_reg, BPF_REG_1);
			reg[i->dst_reg] = ctx[i->off / 4];
		} else if (cls == BPF_ALU || cls == BPF_ALU64) {
			uint64_t src = BPF_SRC(i->code) == BPF_X ? reg[i->src_reg] : (uint64_t)(int64_t)i->imm;
			uint64_t *d = &reg[i->dst_reg];

			if (op == BPF_MOV)
				*d = src;
			else if (op == BPF_AND)
				*d &= src;
			else if (op == BPF_RSH)
				*d >>= src;
			else
				fail_msg("unexpected ALU op %#x", op);
			if (cls == BPF_ALU)
				*d &= 0xffffffff;
		} else if (cls == BPF_JMP && op == BPF_EXIT) {
			return (int)reg[0];
		} else if (cls == BPF_JMP && op == BPF_JNE) {
			assert_int_equal(BPF_SRC(i->code), BPF_K);
			if (reg[i->dst_reg] != (uint64_t)(uint32_t)i->imm)
				pc += (size_t)i->off;
			assert_true(pc < n);
		} else {
			fail_msg("unexpected instruction %#x at %zu", i->code, pc);
		}
	}
	fail_msg("program ran off its end");
	return -1;
}

static int decide_bpf(const struct bpf_insn *p, size_t n, char type, unsigned major,
		      unsigned minor, unsigned access)
{
	uint32_t ctx[3] = { access << 16 | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
			    major, minor };
	return run_program(p, n, ctx);
}

static void test_bpf_program_shape(void **state)
{
	(void)state;
	const struct ctr_dev_rule one[] = { { true, 'c', 1, 3, RWM } };
	struct bpf_insn *p = NULL;
	size_t n = 0;

	assert_int_equal(ctr_dev_bpf_program(one, 1, &p, &n), 0);
	/* prologue 6, the rule: type, major, minor, r0 = 1, exit; then r0 = 0, exit */
	assert_int_equal(n, 6 + 5 + 2);
	assert_int_equal(p[0].code, BPF_LDX | BPF_W | BPF_MEM);
	assert_int_equal(p[0].dst_reg, BPF_REG_2);
	assert_int_equal(p[0].off, 0);
	assert_int_equal(p[1].code, BPF_ALU | BPF_AND | BPF_K);
	assert_int_equal(p[1].imm, 0xffff);
	assert_int_equal(p[3].code, BPF_ALU | BPF_RSH | BPF_K);
	assert_int_equal(p[3].imm, 16);
	assert_int_equal(p[4].off, 4);
	assert_int_equal(p[5].off, 8);
	assert_int_equal(p[6].code, BPF_JMP | BPF_JNE | BPF_K);
	assert_int_equal(p[6].imm, BPF_DEVCG_DEV_CHAR);
	assert_int_equal(p[6].off, 4); /* to the final deny */
	assert_int_equal(p[7].imm, 1);
	assert_int_equal(p[7].off, 3);
	assert_int_equal(p[8].imm, 3);
	assert_int_equal(p[8].off, 2);
	assert_int_equal(p[9].code, BPF_ALU64 | BPF_MOV | BPF_K);
	assert_int_equal(p[9].imm, 1);
	assert_int_equal(p[10].code, BPF_JMP | BPF_EXIT);
	assert_int_equal(p[11].imm, 0);
	assert_int_equal(p[12].code, BPF_JMP | BPF_EXIT);
	free(p);
	/* wildcards need no compare; a partial access needs three */
	const struct ctr_dev_rule m[] = { { true, 'a', W, W, M } };
	assert_int_equal(ctr_dev_bpf_program(m, 1, &p, &n), 0);
	assert_int_equal(n, 6 + 3 + 2 + 2);
	assert_int_equal(p[6].code, BPF_ALU | BPF_MOV | BPF_X);
	assert_int_equal(p[7].imm, R | WR);
	free(p);
}

/* A rule for every device ends the program: the verifier refuses
 * unreachable instructions (EINVAL), so nothing follows it. */
static void test_bpf_program_ends_at_match_all(void **state)
{
	(void)state;
	const struct ctr_dev_rule rules[] = { { false, 'a', W, W, RWM }, { true, 'c', 1, 11, WR } };
	struct bpf_insn *p = NULL;
	size_t n = 0;

	assert_int_equal(ctr_dev_bpf_program(rules, 2, &p, &n), 0);
	/* prologue 6, c 1:11 w (type, 3 for access, major, minor, 2), deny-all 2 */
	assert_int_equal(n, 6 + 8 + 2);
	assert_int_equal(p[n - 2].imm, 0);
	assert_int_equal(p[n - 1].code, BPF_JMP | BPF_EXIT);
	assert_int_equal(decide_bpf(p, n, 'c', 1, 11, WR), 1);
	assert_int_equal(decide_bpf(p, n, 'c', 1, 11, R), 0);
	free(p);
	/* and the rules before a later allow-all are never reached */
	const struct ctr_dev_rule open[] = { { false, 'c', 1, 1, RWM }, { true, 'a', W, W, RWM } };
	assert_int_equal(ctr_dev_bpf_program(open, 2, &p, &n), 0);
	assert_int_equal(n, 6 + 2);
	assert_int_equal(decide_bpf(p, n, 'c', 1, 1, R), 1);
	free(p);
}

/* The program decides as ctr_dev_allowed does, for the defaults and for
 * a list whose later rules override earlier ones. */
static void test_bpf_program_agrees(void **state)
{
	(void)state;
	const struct ctr_dev_rule mixed[] = {
		{ true, 'c', 1, W, RWM }, { false, 'c', 1, 11, WR }, { true, 'a', 7, W, R },
		{ false, 'c', 1, 1, RWM },
	};
	const struct ctr_dev_rule bundle[] = {
		{ false, 'a', W, W, RWM }, { true, 'c', 1, 11, WR }, { true, 'a', W, W, RWM },
		{ false, 'b', 8, W, R },
	};
	const struct { const struct ctr_dev_rule *r; size_t n; } lists[] = {
		{ ctr_dev_default_rules, ctr_dev_n_default_rules }, { mixed, 4 }, { bundle, 4 },
	};
	static const char types[] = { 'c', 'b' };
	static const unsigned majors[] = { 1, 5, 7, 8, 10, 136 };
	static const unsigned minors[] = { 0, 1, 2, 3, 9, 11, 200 };

	for (size_t l = 0; l < 3; l++) {
		struct bpf_insn *p = NULL;
		size_t n = 0;

		assert_int_equal(ctr_dev_bpf_program(lists[l].r, lists[l].n, &p, &n), 0);
		for (size_t t = 0; t < 2; t++)
			for (size_t a = 0; a < 6; a++)
				for (size_t b = 0; b < 7; b++)
					for (unsigned acc = 1; acc <= RWM; acc++)
						assert_int_equal(decide_bpf(p, n, types[t], majors[a], minors[b], acc),
								 ctr_dev_allowed(lists[l].r, lists[l].n, types[t],
										 majors[a], minors[b], acc));
		free(p);
	}
}

static int parse(const char *json, struct ctr_config *cfg, struct isolab_error *err)
{
	cJSON *doc = cJSON_Parse(json);
	int rc;

	assert_non_null(doc);
	ctr_config_init(cfg);
	rc = ctr_oci_policy_from_json(doc, cfg, err);
	cJSON_Delete(doc);
	return rc;
}

static void test_oci_devices(void **state)
{
	(void)state;
	struct ctr_config cfg;
	struct isolab_error err = { 0 };

	assert_int_equal(parse("{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
			       "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":11,\"access\":\"r\"},"
			       "{\"allow\":false,\"type\":\"b\",\"major\":8}]},"
			       "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,"
			       "\"minor\":229,\"fileMode\":438,\"uid\":0,\"gid\":0}]}",
			       &cfg, &err), 0);
	assert_int_equal(cfg.n_dev_rules, 3);
	assert_false(cfg.dev_rules[0].allow);
	assert_int_equal(cfg.dev_rules[0].type, 'a');
	assert_int_equal(cfg.dev_rules[0].major, W);
	assert_int_equal(cfg.dev_rules[0].access, RWM);
	assert_int_equal(cfg.dev_rules[1].type, 'c');
	assert_int_equal(cfg.dev_rules[1].minor, 11);
	assert_int_equal(cfg.dev_rules[1].access, R);
	assert_int_equal(cfg.dev_rules[2].minor, W);
	assert_int_equal(cfg.dev_rules[2].access, RWM); /* absent: all */
	assert_int_equal(cfg.n_dev_nodes, 1);
	assert_string_equal(cfg.dev_nodes[0].path, "/dev/fuse");
	assert_int_equal(cfg.dev_nodes[0].mode, 0666);
	assert_true(cfg.seccomp_unconfined); /* no linux.seccomp: none, as runc */
	ctr_config_free(&cfg);

	assert_int_equal(parse("{\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}}",
			       &cfg, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "config.json: linux.resources.devices[0]: access must be made of r, w and m");
	ctr_config_free(&cfg);
	assert_int_equal(parse("{\"resources\":{\"devices\":[{\"access\":\"r\"}]}}", &cfg, &err),
			 -EINVAL);
	assert_string_equal(err.msg,
			    "config.json: linux.resources.devices[0]: allow: missing or not a boolean");
	ctr_config_free(&cfg);
	assert_int_equal(parse("{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":1}]}",
			       &cfg, &err), -EINVAL);
	assert_string_equal(err.msg, "config.json: linux.devices[0]: missing (required)");
	ctr_config_free(&cfg);
	assert_int_equal(parse("{\"devices\":[{\"path\":\"dev/x\",\"type\":\"c\"}]}", &cfg, &err),
			 -EINVAL);
	ctr_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_list),
		cmocka_unit_test(test_last_match_wins),
		cmocka_unit_test(test_effective_order),
		cmocka_unit_test(test_rule_line),
		cmocka_unit_test(test_parse_rule),
		cmocka_unit_test(test_allows_all),
		cmocka_unit_test(test_v1_plan_default),
		cmocka_unit_test(test_v1_plan_denies),
		cmocka_unit_test(test_bpf_program_shape),
		cmocka_unit_test(test_bpf_program_ends_at_match_all),
		cmocka_unit_test(test_bpf_program_agrees),
		cmocka_unit_test(test_oci_devices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
