/* devices.c: device rule decisions, cgroup v1 lines and the cgroup v2
 * device program (see devices.h). Pure. */
#include "container/devices.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W CTR_DEV_WILDCARD
#define RWM CTR_DEV_ACC_ALL

/* runc libcontainer/specconv/spec_linux.go AllowedDevices; majors and
 * minors from Documentation/admin-guide/devices.txt. */
const struct ctr_dev_rule ctr_dev_default_rules[] = {
	{ true, 'c', W, W, CTR_DEV_ACC_MKNOD }, /* mknod of any node, */
	{ true, 'b', W, W, CTR_DEV_ACC_MKNOD }, /* but no access to it */
	{ true, 'c', 1, 3, RWM },   /* /dev/null */
	{ true, 'c', 1, 8, RWM },   /* /dev/random */
	{ true, 'c', 1, 7, RWM },   /* /dev/full */
	{ true, 'c', 5, 0, RWM },   /* /dev/tty */
	{ true, 'c', 1, 5, RWM },   /* /dev/zero */
	{ true, 'c', 1, 9, RWM },   /* /dev/urandom */
	{ true, 'c', 136, W, RWM }, /* /dev/pts/N */
	{ true, 'c', 5, 2, RWM },   /* /dev/ptmx */
	{ true, 'c', 10, 200, RWM }, /* /dev/net/tun (Docker keeps it) */
};
const size_t ctr_dev_n_default_rules =
	sizeof(ctr_dev_default_rules) / sizeof(ctr_dev_default_rules[0]);

int ctr_dev_parse_access(const char *text, unsigned *access)
{
	*access = 0;
	if (text == NULL || text[0] == '\0') {
		*access = RWM;
		return 0;
	}
	for (const char *p = text; *p; p++) {
		switch (*p) {
		case 'r':
			*access |= CTR_DEV_ACC_READ;
			break;
		case 'w':
			*access |= CTR_DEV_ACC_WRITE;
			break;
		case 'm':
			*access |= CTR_DEV_ACC_MKNOD;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

int ctr_dev_effective_rules(const struct ctr_dev_rule *rules, size_t n_rules,
			    const struct ctr_dev_node *nodes, size_t n_nodes,
			    struct ctr_dev_rule **out, size_t *n_out)
{
	size_t n = 0;
	struct ctr_dev_rule *r = malloc((n_rules + n_nodes + ctr_dev_n_default_rules) * sizeof(*r));

	if (r == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n_rules; i++)
		r[n++] = rules[i];
	for (size_t i = 0; i < n_nodes; i++) {
		if (nodes[i].type == 'p')
			continue; /* a fifo is no device */
		r[n++] = (struct ctr_dev_rule){ true, nodes[i].type == 'b' ? 'b' : 'c',
						nodes[i].major, nodes[i].minor, RWM };
	}
	for (size_t i = 0; i < ctr_dev_n_default_rules; i++)
		r[n++] = ctr_dev_default_rules[i];
	*out = r;
	*n_out = n;
	return 0;
}

static bool rule_matches(const struct ctr_dev_rule *r, char type, unsigned major,
			 unsigned minor, unsigned access)
{
	return (r->type == 'a' || r->type == type) &&
	       (r->major == W || r->major == (long long)major) &&
	       (r->minor == W || r->minor == (long long)minor) && (access & ~r->access) == 0;
}

bool ctr_dev_allowed(const struct ctr_dev_rule *rules, size_t n, char type, unsigned major,
		     unsigned minor, unsigned access)
{
	for (size_t i = n; i-- > 0;)
		if (rule_matches(&rules[i], type, major, minor, access))
			return rules[i].allow;
	return false;
}

void ctr_dev_rule_line(const struct ctr_dev_rule *r, char *buf, size_t len)
{
	char major[24] = "*", minor[24] = "*", acc[4];
	size_t k = 0;

	if (r->major != W)
		snprintf(major, sizeof(major), "%lld", r->major);
	if (r->minor != W)
		snprintf(minor, sizeof(minor), "%lld", r->minor);
	if (r->access & CTR_DEV_ACC_READ)
		acc[k++] = 'r';
	if (r->access & CTR_DEV_ACC_WRITE)
		acc[k++] = 'w';
	if (r->access & CTR_DEV_ACC_MKNOD)
		acc[k++] = 'm';
	acc[k] = '\0';
	snprintf(buf, len, "%c %s:%s %s", r->type, major, minor, acc);
}

static bool is_all(const struct ctr_dev_rule *r)
{
	return r->type == 'a' && r->major == W && r->minor == W && r->access == RWM;
}

bool ctr_dev_allows_all(const struct ctr_dev_rule *rules, size_t n)
{
	size_t i = n;

	while (i-- > 0 && !(rules[i].allow && is_all(&rules[i])))
		if (!rules[i].allow)
			return false; /* a deny after the last allow-all, or no allow-all */
	return i < n;
}

/* "*" or a decimal number up to 2^32-1. */
static int parse_dev_number(const char *s, size_t len, long long *out)
{
	unsigned long long v = 0;

	if (len == 1 && s[0] == '*') {
		*out = W;
		return 0;
	}
	if (len == 0 || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*out = (long long)v;
	return 0;
}

int ctr_dev_parse_rule(const char *text, struct ctr_dev_rule *r)
{
	const char *p = text, *colon, *space;

	if ((p[0] != 'a' && p[0] != 'b' && p[0] != 'c') || p[1] != ' ')
		return -EINVAL;
	r->allow = true;
	r->type = p[0];
	p += 2;
	colon = strchr(p, ':');
	if (colon == NULL)
		return -EINVAL;
	space = strchr(colon, ' ');
	if (space == NULL || space[1] == '\0' ||
	    parse_dev_number(p, (size_t)(colon - p), &r->major) < 0 ||
	    parse_dev_number(colon + 1, (size_t)(space - colon - 1), &r->minor) < 0)
		return -EINVAL;
	return ctr_dev_parse_access(space + 1, &r->access);
}

/* Whether every device a matches, b matches too. */
static bool covers(const struct ctr_dev_rule *b, const struct ctr_dev_rule *a)
{
	return (b->type == 'a' || b->type == a->type) && (b->major == W || b->major == a->major) &&
	       (b->minor == W || b->minor == a->minor);
}

/* Whether some device matches both. */
static bool overlaps(const struct ctr_dev_rule *a, const struct ctr_dev_rule *b)
{
	return (a->type == 'a' || b->type == 'a' || a->type == b->type) &&
	       (a->major == W || b->major == W || a->major == b->major) &&
	       (a->minor == W || b->minor == W || a->minor == b->minor);
}

int ctr_dev_plan_v1(const struct ctr_dev_rule *rules, size_t n,
		    struct ctr_dev_v1_write **out, size_t *n_out, struct isolab_error *err)
{
	struct ctr_dev_rule *exc;
	struct ctr_dev_v1_write *w;
	size_t start = 0, n_exc = 0, k = 0;
	bool default_allow = false;
	char line[48];

	/* The last "a *:* rwm" rule sets the default; earlier ones are moot. */
	for (size_t i = n; i-- > 0;) {
		if (is_all(&rules[i])) {
			default_allow = rules[i].allow;
			start = i + 1;
			break;
		}
	}
	exc = calloc(n + 1, sizeof(*exc));
	w = calloc(n + 1, sizeof(*w));
	if (exc == NULL || w == NULL) {
		free(exc);
		free(w);
		return isolab_error_set(err, -ENOMEM, "device rules: out of memory");
	}
	/* The exceptions to the default, with later rules applied to them. */
	for (size_t i = start; i < n; i++) {
		const struct ctr_dev_rule *r = &rules[i];

		if (r->allow != default_allow) {
			exc[n_exc++] = *r;
			continue;
		}
		for (size_t e = 0; e < n_exc; e++) {
			if (!overlaps(&exc[e], r) || (exc[e].access & r->access) == 0)
				continue;
			if (!covers(r, &exc[e])) {
				ctr_dev_rule_line(r, line, sizeof(line));
				free(exc);
				free(w);
				return isolab_error_set(err, -EINVAL,
							"device rule `%s %s`: narrower than an earlier `%s`, which cgroup v1 cannot express",
							r->allow ? "allow" : "deny", line,
							default_allow ? "deny" : "allow");
			}
			exc[e].access &= ~r->access;
		}
	}
	w[k].file = default_allow ? "devices.allow" : "devices.deny";
	snprintf(w[k++].line, sizeof(w[0].line), "a");
	for (size_t e = 0; e < n_exc; e++) {
		if (exc[e].access == 0)
			continue;
		w[k].file = default_allow ? "devices.deny" : "devices.allow";
		ctr_dev_rule_line(&exc[e], w[k].line, sizeof(w[k].line));
		k++;
	}
	free(exc);
	*out = w;
	*n_out = k;
	return 0;
}

/* ---- the cgroup v2 program ---- */

/* Registers after the prologue: r2 type, r3 access, r4 major, r5 minor. */
#define R_TYPE BPF_REG_2
#define R_ACCESS BPF_REG_3
#define R_MAJOR BPF_REG_4
#define R_MINOR BPF_REG_5

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

static struct bpf_insn ldx_w(uint8_t dst, int16_t off)
{
	return insn(BPF_LDX | BPF_W | BPF_MEM, dst, BPF_REG_1, off, 0);
}

static struct bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm)
{
	return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn mov32_reg(uint8_t dst, uint8_t src)
{
	return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}

/* if (dst != imm) goto end (the first instruction of the next block) */
static void jne_next(struct bpf_insn *p, size_t *k, size_t end, uint8_t dst, int32_t imm)
{
	p[*k] = insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, (int16_t)(end - *k - 1), imm);
	(*k)++;
}

/* Instructions in one rule's block (compares, then r0 = allow; exit). */
static size_t block_len(const struct ctr_dev_rule *r)
{
	return (r->type != 'a') + 3 * ((r->access & RWM) != RWM) + (r->major != W) +
	       (r->minor != W) + 2;
}

int ctr_dev_bpf_program(const struct ctr_dev_rule *rules, size_t n, struct bpf_insn **out,
			size_t *n_out)
{
	size_t total = 6 + 2, k = 0; /* prologue, final deny */
	bool ended = false;
	struct bpf_insn *p;

	for (size_t i = 0; i < n; i++)
		total += block_len(&rules[i]);
	/* The verifier refuses unreachable instructions: nothing may follow
	 * a rule that matches every device and access. */
	p = calloc(total, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	/* struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type);
	 * u32 major; u32 minor; } */
	p[k++] = ldx_w(R_TYPE, 0);
	p[k++] = alu32_imm(BPF_AND, R_TYPE, 0xffff);
	p[k++] = ldx_w(R_ACCESS, 0);
	p[k++] = alu32_imm(BPF_RSH, R_ACCESS, 16);
	p[k++] = ldx_w(R_MAJOR, 4);
	p[k++] = ldx_w(R_MINOR, 8);
	for (size_t i = n; i-- > 0;) {
		const struct ctr_dev_rule *r = &rules[i];
		size_t end = k + block_len(r);

		if (r->type != 'a')
			jne_next(p, &k, end, R_TYPE,
				 r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
		if ((r->access & RWM) != RWM) {
			/* the access asked for must be within the rule's */
			p[k++] = mov32_reg(BPF_REG_1, R_ACCESS);
			p[k++] = alu32_imm(BPF_AND, BPF_REG_1, (int32_t)(~r->access & RWM));
			jne_next(p, &k, end, BPF_REG_1, 0);
		}
		if (r->major != W)
			jne_next(p, &k, end, R_MAJOR, (int32_t)(uint32_t)r->major);
		if (r->minor != W)
			jne_next(p, &k, end, R_MINOR, (int32_t)(uint32_t)r->minor);
		p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
		p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		if (is_all(r)) {
			ended = true;
			break;
		}
	}
	if (!ended) {
		p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
		p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	*out = p;
	*n_out = k;
	return 0;
}
