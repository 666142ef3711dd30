/*
 * seccomp_load.c: a resolved profile (seccomp.h) turned into a filter
 * with libseccomp and loaded into the calling thread, as runc's
 * libcontainer/seccomp/patchbpf does: unknown syscall names are skipped
 * (an older kernel or another architecture), conditions on one argument
 * index are alternatives (one rule each), on several indexes all must
 * hold (one rule).
 */
#include "container/seccomp.h"
#include "common/jsonfile.h"
#include "container/config.h"

#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/utsname.h>

static uint32_t scmp_action(enum ctr_scmp_action a, int errno_ret)
{
	switch (a) {
	case CTR_SCMP_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case CTR_SCMP_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case CTR_SCMP_TRAP:
		return SCMP_ACT_TRAP;
	case CTR_SCMP_ERRNO:
		return SCMP_ACT_ERRNO((uint32_t)errno_ret);
	case CTR_SCMP_TRACE:
		return SCMP_ACT_TRACE((uint32_t)errno_ret);
	case CTR_SCMP_LOG:
		return SCMP_ACT_LOG;
	case CTR_SCMP_ALLOW:
		break;
	}
	return SCMP_ACT_ALLOW;
}

static struct scmp_arg_cmp cmp(const struct ctr_scmp_arg *a)
{
	struct scmp_arg_cmp c = { .arg = a->index, .op = (enum scmp_compare)a->op,
				  .datum_a = a->value, .datum_b = a->value_two };

	return c;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t def, const struct ctr_scmp_rule *r,
		    struct isolab_error *err)
{
	uint32_t action = scmp_action(r->action, r->errno_ret);
	struct scmp_arg_cmp all[CTR_SCMP_MAX_ARGS];
	int rc = 0;

	if (action == def)
		return 0; /* libseccomp refuses rules that do what the default does */
	for (size_t i = 0; i < r->n_args; i++)
		all[i] = cmp(&r->args[i]);
	for (size_t k = 0; k < r->n_names; k++) {
		int nr = seccomp_syscall_resolve_name(r->names[k]);

		if (nr == __NR_SCMP_ERROR)
			continue;
		if (ctr_seccomp_args_are_alternatives(r)) {
			for (size_t i = 0; i < r->n_args && rc == 0; i++)
				rc = seccomp_rule_add_exact_array(ctx, action, nr, 1, &all[i]);
		} else {
			rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)r->n_args, all);
		}
		if (rc == -EEXIST)
			rc = 0; /* the same name twice with the same action */
		if (rc < 0)
			return isolab_error_errno(err, rc, "seccomp: rule for `%s`", r->names[k]);
	}
	return 0;
}

int ctr_seccomp_load(const struct ctr_seccomp_profile *p, bool no_new_privs,
		     struct isolab_error *err)
{
	uint32_t def = scmp_action(p->default_action, p->default_errno);
	scmp_filter_ctx ctx = seccomp_init(def);
	int rc = 0;

	if (ctx == NULL)
		return isolab_error_set(err, -ENOMEM, "seccomp: init the filter");
	/* no_new_privs is the runtime's own choice, set before this. */
	if (!no_new_privs)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc == 0 && (p->flags & CTR_SCMP_FLAG_TSYNC))
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0 && (p->flags & CTR_SCMP_FLAG_LOG))
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	if (rc == 0 && (p->flags & CTR_SCMP_FLAG_SPEC_ALLOW))
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
	if (rc < 0) {
		seccomp_release(ctx);
		return isolab_error_errno(err, rc, "seccomp: filter attributes");
	}
	for (size_t i = 0; i < p->n_arches; i++) {
		uint32_t arch = seccomp_arch_resolve_name(p->arches[i]);

		if (arch == 0) {
			seccomp_release(ctx);
			return isolab_error_set(err, -EINVAL, "seccomp: unknown architecture `%s`",
						p->arches[i]);
		}
		rc = seccomp_arch_add(ctx, arch);
		if (rc < 0 && rc != -EEXIST) {
			seccomp_release(ctx);
			return isolab_error_errno(err, rc, "seccomp: add architecture `%s`",
						  p->arches[i]);
		}
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		rc = add_rule(ctx, def, &p->rules[i], err);
		if (rc < 0) {
			seccomp_release(ctx);
			return rc;
		}
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		return isolab_error_errno(err, rc, "seccomp: load the filter");
	return 0;
}

int ctr_seccomp_read_file(const char *path, struct ctr_seccomp_profile **out,
			  struct isolab_error *err)
{
	char what[PATH_MAX + 32];
	cJSON *doc = NULL;
	int rc = isolab_json_read(path, &doc, err);

	if (rc < 0)
		return isolab_error_wrap(err, "--security-opt seccomp");
	snprintf(what, sizeof(what), "seccomp profile `%s`", path);
	rc = ctr_seccomp_from_json(doc, what, false, out, err);
	cJSON_Delete(doc);
	return rc;
}

int ctr_seccomp_prepare(struct ctr_config *cfg, struct isolab_error *err)
{
	struct utsname u;

	if (cfg->seccomp_unconfined) {
		ctr_seccomp_free(cfg->seccomp);
		cfg->seccomp = NULL;
		return 0;
	}
	if (cfg->seccomp == NULL && ctr_seccomp_default(&cfg->seccomp) < 0)
		return isolab_error_set(err, -ENOMEM, "seccomp: out of memory");
	if (uname(&u) < 0)
		return isolab_error_errno(err, -errno, "uname");
	ctr_seccomp_resolve(cfg->seccomp, cfg->caps.bounding | cfg->caps.effective,
			    ctr_seccomp_kernel_version(u.release));
	return 0;
}
