/* seccomp.c: seccomp profiles from JSON, their conditions, a model of
 * their decisions (see seccomp.h). Pure. Formats: moby's
 * profiles/seccomp (Seccomp, Syscall, Filter types) and runtime-spec
 * config-linux.md "Seccomp". */
#include "container/seccomp.h"
#include "container/caps.h"
#include "container/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__)
const char ctr_seccomp_native_docker_arch[] = "amd64";
const char ctr_seccomp_native_arch[] = "x86_64";
#elif defined(__aarch64__)
const char ctr_seccomp_native_docker_arch[] = "arm64";
const char ctr_seccomp_native_arch[] = "aarch64";
#else /* another architecture: its names are still to be added */
const char ctr_seccomp_native_docker_arch[] = "";
const char ctr_seccomp_native_arch[] = "";
#endif

static const struct {
	const char *name;
	enum ctr_scmp_action action;
} action_names[] = {
	{ "SCMP_ACT_KILL_PROCESS", CTR_SCMP_KILL_PROCESS },
	{ "SCMP_ACT_KILL_THREAD", CTR_SCMP_KILL_THREAD },
	{ "SCMP_ACT_KILL", CTR_SCMP_KILL_THREAD },
	{ "SCMP_ACT_TRAP", CTR_SCMP_TRAP },
	{ "SCMP_ACT_ERRNO", CTR_SCMP_ERRNO },
	{ "SCMP_ACT_TRACE", CTR_SCMP_TRACE },
	{ "SCMP_ACT_LOG", CTR_SCMP_LOG },
	{ "SCMP_ACT_ALLOW", CTR_SCMP_ALLOW },
};

static const char *const op_names[] = {
	[CTR_SCMP_CMP_NE] = "SCMP_CMP_NE", [CTR_SCMP_CMP_LT] = "SCMP_CMP_LT",
	[CTR_SCMP_CMP_LE] = "SCMP_CMP_LE", [CTR_SCMP_CMP_EQ] = "SCMP_CMP_EQ",
	[CTR_SCMP_CMP_GE] = "SCMP_CMP_GE", [CTR_SCMP_CMP_GT] = "SCMP_CMP_GT",
	[CTR_SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const struct {
	const char *name;
	unsigned flag;
} flag_names[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", CTR_SCMP_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", CTR_SCMP_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", CTR_SCMP_FLAG_SPEC_ALLOW },
};

/* libseccomp's architecture names (seccomp_arch_resolve_name, 2.5), as
 * runc's features lists them. */
static const char *const arch_names[] = {
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
	"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
	"SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
	"SCMP_ARCH_S390X", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
};

const char *ctr_seccomp_action_name(size_t i)
{
	return i < sizeof(action_names) / sizeof(action_names[0]) ? action_names[i].name : NULL;
}

const char *ctr_seccomp_operator_name(size_t i)
{
	i += CTR_SCMP_CMP_NE; /* op_names[0] is no operator */
	return i < sizeof(op_names) / sizeof(op_names[0]) ? op_names[i] : NULL;
}

const char *ctr_seccomp_flag_name(size_t i)
{
	return i < sizeof(flag_names) / sizeof(flag_names[0]) ? flag_names[i].name : NULL;
}

const char *ctr_seccomp_arch_name(size_t i)
{
	return i < sizeof(arch_names) / sizeof(arch_names[0]) ? arch_names[i] : NULL;
}

/* ---- reading JSON ---- */

struct parse {
	const char *what; /* error prefix */
	bool oci;
	struct isolab_error *err;
};

static __attribute__((format(printf, 3, 4))) int bad(const struct parse *ps, const char *field,
							 const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return isolab_error_set(ps->err, -EINVAL, "%s: %s: %s", ps->what, field, msg);
}

/* An optional member of one cJSON type (NULL when absent or null). */
static int get(const struct parse *ps, const cJSON *obj, const char *name, const char *field,
	       int type, const cJSON **out)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);

	*out = NULL;
	if (m == NULL || cJSON_IsNull(m))
		return 0;
	if (!(m->type & type))
		return bad(ps, field, "must be %s",
			   type == cJSON_String   ? "a string"
			   : type == cJSON_Number ? "a number"
			   : type == cJSON_Array  ? "an array"
						  : "an object");
	*out = m;
	return 0;
}

static int parse_action(const struct parse *ps, const cJSON *s, const char *field,
			enum ctr_scmp_action *action)
{
	if (strcmp(s->valuestring, "SCMP_ACT_NOTIFY") == 0)
		return bad(ps, field, "%s is not supported (isolab-ctr has no seccomp agent)",
			   s->valuestring);
	for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (strcmp(action_names[i].name, s->valuestring) == 0) {
			*action = action_names[i].action;
			return 0;
		}
	}
	return bad(ps, field, "unknown action `%s`", s->valuestring);
}

static int parse_errno(const struct parse *ps, const cJSON *obj, const char *name,
		       const char *field, int *out)
{
	const cJSON *n;

	*out = CTR_SCMP_EPERM;
	if (get(ps, obj, name, field, cJSON_Number, &n) < 0)
		return -EINVAL;
	if (n == NULL)
		return 0;
	if (n->valuedouble < 0 || n->valuedouble > 4095 || n->valuedouble != (int)n->valuedouble)
		return bad(ps, field, "%s", "must be an errno number from 0 to 4095");
	*out = (int)n->valuedouble;
	return 0;
}

/* "SCMP_ARCH_X86_64" -> "x86_64". */
static int push_arch(const struct parse *ps, struct ctr_seccomp_profile *p, const char *name,
		     const char *field)
{
	char lower[32];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name + 10) >= sizeof(lower) ||
	    name[10] == '\0')
		return bad(ps, field, "unknown architecture `%s`", name);
	for (i = 0; name[10 + i]; i++)
		lower[i] = (char)(name[10 + i] >= 'A' && name[10 + i] <= 'Z' ? name[10 + i] + 32
									   : name[10 + i]);
	lower[i] = '\0';
	if (ctr_strv_push(&p->arches, &p->n_arches, lower) < 0)
		return isolab_error_set(ps->err, -ENOMEM, "%s: out of memory", ps->what);
	return 0;
}

static int parse_arches(const struct parse *ps, const cJSON *doc, struct ctr_seccomp_profile *p)
{
	const cJSON *arr, *map, *it;
	char field[64];
	int i = 0;

	if (get(ps, doc, "architectures", "architectures", cJSON_Array, &arr) < 0)
		return -EINVAL;
	cJSON_ArrayForEach(it, arr) {
		snprintf(field, sizeof(field), "architectures[%d]", i++);
		if (!cJSON_IsString(it))
			return bad(ps, field, "%s", "must be a string");
		if (push_arch(ps, p, it->valuestring, field) < 0)
			return -EINVAL;
	}
	if (ps->oci)
		return 0;
	/* Docker: the archMap entry of the native architecture, with its
	 * sub-architectures (x86_64: x86 and x32). */
	if (get(ps, doc, "archMap", "archMap", cJSON_Array, &map) < 0)
		return -EINVAL;
	i = 0;
	cJSON_ArrayForEach(it, map) {
		const cJSON *arch, *subs, *s;

		snprintf(field, sizeof(field), "archMap[%d].architecture", i);
		if (get(ps, it, "architecture", field, cJSON_String, &arch) < 0)
			return -EINVAL;
		snprintf(field, sizeof(field), "archMap[%d].subArchitectures", i++);
		if (get(ps, it, "subArchitectures", field, cJSON_Array, &subs) < 0)
			return -EINVAL;
		if (arch == NULL || strncmp(arch->valuestring, "SCMP_ARCH_", 10) != 0 ||
		    strcasecmp(arch->valuestring + 10, ctr_seccomp_native_arch) != 0)
			continue;
		if (push_arch(ps, p, arch->valuestring, field) < 0)
			return -EINVAL;
		cJSON_ArrayForEach(s, subs) {
			if (!cJSON_IsString(s) || push_arch(ps, p, s->valuestring, field) < 0)
				return bad(ps, field, "%s", "must hold architecture names");
		}
	}
	return 0;
}

static int parse_args(const struct parse *ps, const cJSON *arr, const char *prefix,
		      struct ctr_scmp_rule *r)
{
	const cJSON *it;
	char field[96];

	cJSON_ArrayForEach(it, arr) {
		const cJSON *index, *value, *two, *op;
		struct ctr_scmp_arg *a;
		size_t k;

		snprintf(field, sizeof(field), "%s.args[%zu]", prefix, r->n_args);
		if (r->n_args == CTR_SCMP_MAX_ARGS)
			return bad(ps, field, "%s", "more than 6 argument conditions");
		a = &r->args[r->n_args++];
		if (get(ps, it, "index", field, cJSON_Number, &index) < 0 ||
		    get(ps, it, "value", field, cJSON_Number, &value) < 0 ||
		    get(ps, it, "valueTwo", field, cJSON_Number, &two) < 0 ||
		    get(ps, it, "op", field, cJSON_String, &op) < 0)
			return -EINVAL;
		if (index == NULL || index->valuedouble < 0 || index->valuedouble > 5)
			return bad(ps, field, "%s", "index must be 0 to 5");
		if (value == NULL || op == NULL)
			return bad(ps, field, "%s", "value and op are required");
		a->index = (unsigned)index->valuedouble;
		/* JSON numbers are doubles: exact up to 2^53, enough for flags
		 * and the 32-bit values profiles use. */
		a->value = (uint64_t)value->valuedouble;
		a->value_two = two ? (uint64_t)two->valuedouble : 0;
		for (k = CTR_SCMP_CMP_NE; k <= CTR_SCMP_CMP_MASKED_EQ; k++)
			if (strcmp(op_names[k], op->valuestring) == 0)
				break;
		if (k > CTR_SCMP_CMP_MASKED_EQ)
			return bad(ps, field, "unknown op `%s`", op->valuestring);
		a->op = (enum ctr_scmp_op)k;
	}
	return 0;
}

static int caps_mask(const struct parse *ps, const cJSON *arr, const char *field, uint64_t *mask)
{
	const cJSON *it;
	int cap;

	*mask = 0;
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || ctr_cap_from_name(it->valuestring, &cap) < 0)
			return bad(ps, field, "unknown capability `%s`",
				   cJSON_IsString(it) ? it->valuestring : "?");
		*mask |= 1ull << cap;
	}
	return 0;
}

static bool names_native_arch(const cJSON *arr)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, ctr_seccomp_native_docker_arch) == 0)
			return true;
	return false;
}

/* Docker's includes / excludes {caps, arches, minKernel}. */
static int parse_conditions(const struct parse *ps, const cJSON *sc, const char *prefix,
			    struct ctr_scmp_rule *r)
{
	const cJSON *inc, *exc, *x;
	char field[96];

	snprintf(field, sizeof(field), "%s.includes", prefix);
	if (get(ps, sc, "includes", field, cJSON_Object, &inc) < 0)
		return -EINVAL;
	snprintf(field, sizeof(field), "%s.excludes", prefix);
	if (get(ps, sc, "excludes", field, cJSON_Object, &exc) < 0)
		return -EINVAL;
	if (inc != NULL) {
		snprintf(field, sizeof(field), "%s.includes.caps", prefix);
		if (get(ps, inc, "caps", field, cJSON_Array, &x) < 0 ||
		    caps_mask(ps, x, field, &r->caps_all) < 0)
			return -EINVAL;
		snprintf(field, sizeof(field), "%s.includes.arches", prefix);
		if (get(ps, inc, "arches", field, cJSON_Array, &x) < 0)
			return -EINVAL;
		if (x != NULL && cJSON_GetArraySize(x) > 0 && !names_native_arch(x))
			r->other_arch = true;
		snprintf(field, sizeof(field), "%s.includes.minKernel", prefix);
		if (get(ps, inc, "minKernel", field, cJSON_String, &x) < 0)
			return -EINVAL;
		if (x != NULL && (r->min_kernel = ctr_seccomp_kernel_version(x->valuestring)) == 0)
			return bad(ps, field, "`%s`: expected MAJOR.MINOR", x->valuestring);
	}
	if (exc != NULL) {
		snprintf(field, sizeof(field), "%s.excludes.caps", prefix);
		if (get(ps, exc, "caps", field, cJSON_Array, &x) < 0 ||
		    caps_mask(ps, x, field, &r->caps_none) < 0)
			return -EINVAL;
		snprintf(field, sizeof(field), "%s.excludes.arches", prefix);
		if (get(ps, exc, "arches", field, cJSON_Array, &x) < 0)
			return -EINVAL;
		if (names_native_arch(x))
			r->other_arch = true;
	}
	return 0;
}

static int parse_syscall(const struct parse *ps, const cJSON *sc, int i,
			 struct ctr_scmp_rule *r)
{
	const cJSON *names, *name, *action, *args, *it;
	char prefix[48], field[96];

	snprintf(prefix, sizeof(prefix), "syscalls[%d]", i);
	if (!cJSON_IsObject(sc))
		return bad(ps, prefix, "%s", "must be an object");
	snprintf(field, sizeof(field), "%s.names", prefix);
	if (get(ps, sc, "names", field, cJSON_Array, &names) < 0)
		return -EINVAL;
	cJSON_ArrayForEach(it, names) {
		if (!cJSON_IsString(it))
			return bad(ps, field, "%s", "must hold strings");
		if (ctr_strv_push(&r->names, &r->n_names, it->valuestring) < 0)
			return isolab_error_set(ps->err, -ENOMEM, "%s: out of memory", ps->what);
	}
	/* Docker's older single "name" */
	snprintf(field, sizeof(field), "%s.name", prefix);
	if (!ps->oci && get(ps, sc, "name", field, cJSON_String, &name) < 0)
		return -EINVAL;
	if (!ps->oci && name != NULL && ctr_strv_push(&r->names, &r->n_names, name->valuestring) < 0)
		return isolab_error_set(ps->err, -ENOMEM, "%s: out of memory", ps->what);
	if (r->n_names == 0)
		return bad(ps, prefix, "%s", "names: missing (required)");
	snprintf(field, sizeof(field), "%s.action", prefix);
	if (get(ps, sc, "action", field, cJSON_String, &action) < 0)
		return -EINVAL;
	if (action == NULL)
		return bad(ps, field, "%s", "missing (required)");
	if (parse_action(ps, action, field, &r->action) < 0)
		return -EINVAL;
	snprintf(field, sizeof(field), "%s.errnoRet", prefix);
	if (parse_errno(ps, sc, "errnoRet", field, &r->errno_ret) < 0)
		return -EINVAL;
	snprintf(field, sizeof(field), "%s.args", prefix);
	if (get(ps, sc, "args", field, cJSON_Array, &args) < 0 ||
	    parse_args(ps, args, prefix, r) < 0)
		return -EINVAL;
	return ps->oci ? 0 : parse_conditions(ps, sc, prefix, r);
}

int ctr_seccomp_from_json(const cJSON *doc, const char *what, bool oci,
			  struct ctr_seccomp_profile **out, struct isolab_error *err)
{
	struct parse ps = { what, oci, err };
	struct ctr_seccomp_profile *p;
	const cJSON *def, *calls, *flags, *listener, *it;
	int i = 0, rc = -EINVAL;

	*out = NULL;
	if (!cJSON_IsObject(doc))
		return bad(&ps, "(document)", "%s", "must be a JSON object");
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return isolab_error_set(err, -ENOMEM, "%s: out of memory", what);
	if (get(&ps, doc, "defaultAction", "defaultAction", cJSON_String, &def) < 0)
		goto fail;
	if (def == NULL) {
		bad(&ps, "defaultAction", "%s", "missing (required)");
		goto fail;
	}
	if (parse_action(&ps, def, "defaultAction", &p->default_action) < 0 ||
	    parse_errno(&ps, doc, "defaultErrnoRet", "defaultErrnoRet", &p->default_errno) < 0 ||
	    parse_arches(&ps, doc, p) < 0)
		goto fail;
	if (get(&ps, doc, "listenerPath", "listenerPath", cJSON_String, &listener) < 0)
		goto fail;
	if (listener != NULL) {
		bad(&ps, "listenerPath", "%s", "not supported (isolab-ctr has no seccomp agent)");
		goto fail;
	}
	if (get(&ps, doc, "flags", "flags", cJSON_Array, &flags) < 0)
		goto fail;
	cJSON_ArrayForEach(it, flags) {
		size_t k;

		for (k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++)
			if (cJSON_IsString(it) && strcmp(flag_names[k].name, it->valuestring) == 0)
				break;
		if (k == sizeof(flag_names) / sizeof(flag_names[0])) {
			bad(&ps, "flags", "unsupported flag `%s`",
			    cJSON_IsString(it) ? it->valuestring : "?");
			goto fail;
		}
		p->flags |= flag_names[k].flag;
	}
	if (get(&ps, doc, "syscalls", "syscalls", cJSON_Array, &calls) < 0)
		goto fail;
	p->rules = calloc((size_t)cJSON_GetArraySize(calls) + 1, sizeof(*p->rules));
	if (p->rules == NULL) {
		rc = isolab_error_set(err, -ENOMEM, "%s: out of memory", what);
		goto fail;
	}
	cJSON_ArrayForEach(it, calls) {
		p->n_rules++;
		if (parse_syscall(&ps, it, i++, &p->rules[p->n_rules - 1]) < 0) {
			rc = err->code;
			goto fail;
		}
	}
	*out = p;
	return 0;
fail:
	ctr_seccomp_free(p);
	return rc;
}

/* ---- conditions and decisions ---- */

unsigned ctr_seccomp_kernel_version(const char *release)
{
	char *end;
	unsigned long major = strtoul(release, &end, 10), minor;

	if (end == release || *end != '.' || major == 0 || major > 0xffff)
		return 0;
	release = end + 1;
	minor = strtoul(release, &end, 10);
	if (end == release || minor > 0xffff)
		return 0;
	return (unsigned)(major << 16 | minor);
}

static void free_rule(struct ctr_scmp_rule *r)
{
	for (size_t k = 0; k < r->n_names; k++)
		free(r->names[k]);
	free(r->names);
}

void ctr_seccomp_resolve(struct ctr_seccomp_profile *p, uint64_t caps, unsigned kernel)
{
	size_t kept = 0;

	for (size_t i = 0; i < p->n_rules; i++) {
		struct ctr_scmp_rule *r = &p->rules[i];
		bool keep = (r->caps_all & caps) == r->caps_all && (r->caps_none & caps) == 0 &&
			    !r->other_arch && (r->min_kernel == 0 || kernel >= r->min_kernel);

		if (!keep) {
			free_rule(r);
			continue;
		}
		r->caps_all = r->caps_none = 0;
		r->min_kernel = 0;
		p->rules[kept++] = *r;
	}
	p->n_rules = kept;
}

static bool arg_holds(const struct ctr_scmp_arg *a, uint64_t v)
{
	switch (a->op) {
	case CTR_SCMP_CMP_NE:
		return v != a->value;
	case CTR_SCMP_CMP_LT:
		return v < a->value;
	case CTR_SCMP_CMP_LE:
		return v <= a->value;
	case CTR_SCMP_CMP_EQ:
		return v == a->value;
	case CTR_SCMP_CMP_GE:
		return v >= a->value;
	case CTR_SCMP_CMP_GT:
		return v > a->value;
	case CTR_SCMP_CMP_MASKED_EQ:
		return (v & a->value) == a->value_two;
	}
	return false;
}

bool ctr_seccomp_args_are_alternatives(const struct ctr_scmp_rule *r)
{
	for (size_t i = 0; i < r->n_args; i++)
		for (size_t k = i + 1; k < r->n_args; k++)
			if (r->args[i].index == r->args[k].index)
				return true;
	return false;
}

enum ctr_scmp_action ctr_seccomp_decide(const struct ctr_seccomp_profile *p, const char *name,
					const uint64_t args[CTR_SCMP_MAX_ARGS], int *errno_ret)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct ctr_scmp_rule *r = &p->rules[i];
		bool named = false, any = ctr_seccomp_args_are_alternatives(r), holds = !any;

		for (size_t k = 0; k < r->n_names && !named; k++)
			named = strcmp(r->names[k], name) == 0;
		for (size_t k = 0; k < r->n_args && named; k++) {
			bool h = arg_holds(&r->args[k], args[r->args[k].index]);

			holds = any ? (holds || h) : (holds && h);
		}
		if (named && holds) {
			*errno_ret = r->errno_ret;
			return r->action;
		}
	}
	*errno_ret = p->default_errno;
	return p->default_action;
}

/* ---- the key of a resolved profile ---- */

int ctr_seccomp_key(const struct ctr_seccomp_profile *p, char **out)
{
	size_t len = 0;
	FILE *f = open_memstream(out, &len);

	if (f == NULL)
		return -ENOMEM;
	/* Strings are length-prefixed, so no name (a profile's names are
	 * any JSON strings) can pass for two. Rules libseccomp drops (the
	 * default's own action) stay in: they cost nothing to compare. */
	fprintf(f, "default %d/%d flags %u arches", p->default_action, p->default_errno,
		p->flags);
	for (size_t i = 0; i < p->n_arches; i++)
		fprintf(f, " %zu:%s", strlen(p->arches[i]), p->arches[i]);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct ctr_scmp_rule *r = &p->rules[i];

		fprintf(f, "; %d/%d", r->action, r->errno_ret);
		for (size_t k = 0; k < r->n_args; k++)
			fprintf(f, " arg%u %d %#llx %#llx", r->args[k].index, r->args[k].op,
				(unsigned long long)r->args[k].value,
				(unsigned long long)r->args[k].value_two);
		/* An unresolved rule's conditions, so that one never matches a
		 * resolved rule set by accident. */
		if (r->caps_all || r->caps_none || r->other_arch || r->min_kernel)
			fprintf(f, " if %#llx %#llx %d %#x", (unsigned long long)r->caps_all,
				(unsigned long long)r->caps_none, r->other_arch, r->min_kernel);
		for (size_t k = 0; k < r->n_names; k++)
			fprintf(f, " %zu:%s", strlen(r->names[k]), r->names[k]);
	}
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

void ctr_seccomp_free(struct ctr_seccomp_profile *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_arches; i++)
		free(p->arches[i]);
	free(p->arches);
	for (size_t i = 0; i < p->n_rules; i++)
		free_rule(&p->rules[i]);
	free(p->rules);
	free(p->bpf_buf);
	free(p);
}
