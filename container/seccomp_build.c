/*
 * seccomp_build.c: a resolved profile (seccomp.h) turned into a classic
 * BPF program with libseccomp, as runc's libcontainer/seccomp/patchbpf
 * does: unknown syscall names are skipped (an older kernel or another
 * architecture), conditions on one argument index are alternatives (one
 * rule each), on several indexes all must hold (one rule). The program is
 * exported (seccomp_export_bpf through a memfd), not loaded: the runtime
 * loads it in the container (seccomp_load.c), and the build-time
 * generator (seccomp_gen.c) writes the default profile's into the binary.
 */
#include "container/seccomp.h"
#include "common/cleanup.h"

#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The filter's flags go to seccomp(2) at load (seccomp_load.c); setting
 * them here still has libseccomp refuse those this kernel lacks. */
static int build(scmp_filter_ctx ctx, const struct ctr_seccomp_profile *p,
		 struct isolab_error *err)
{
	uint32_t def = scmp_action(p->default_action, p->default_errno);
	int rc = 0;

	if (p->flags & CTR_SCMP_FLAG_TSYNC)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0 && (p->flags & CTR_SCMP_FLAG_LOG))
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	if (rc == 0 && (p->flags & CTR_SCMP_FLAG_SPEC_ALLOW))
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
	/* A binary tree over the syscall numbers rather than libseccomp's
	 * default linear chain: every system call the container makes runs
	 * the filter, and Docker's profile allows some 350 of them. */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc < 0)
		return isolab_error_errno(err, rc, "seccomp: filter attributes");
	for (size_t i = 0; i < p->n_arches; i++) {
		uint32_t arch = seccomp_arch_resolve_name(p->arches[i]);

		if (arch == 0)
			return isolab_error_set(err, -EINVAL, "seccomp: unknown architecture `%s`",
						p->arches[i]);
		rc = seccomp_arch_add(ctx, arch);
		if (rc < 0 && rc != -EEXIST)
			return isolab_error_errno(err, rc, "seccomp: add architecture `%s`",
						  p->arches[i]);
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		rc = add_rule(ctx, def, &p->rules[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* seccomp_export_bpf writes to an fd: a memfd, read back whole. */
static int export_program(scmp_filter_ctx ctx, struct sock_filter **insns, size_t *len,
			  struct isolab_error *err)
{
	_cleanup_close_ int fd = memfd_create("isolab-seccomp", MFD_CLOEXEC);
	_cleanup_free_ struct sock_filter *buf = NULL;
	struct stat st;
	ssize_t got;
	int rc;

	if (fd < 0)
		return isolab_error_errno(err, -errno, "seccomp: memfd for the filter");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return isolab_error_errno(err, rc, "seccomp: export the filter");
	if (fstat(fd, &st) < 0)
		return isolab_error_errno(err, -errno, "seccomp: size of the filter");
	if (st.st_size <= 0 || st.st_size % (off_t)sizeof(*buf) != 0 ||
	    st.st_size / (off_t)sizeof(*buf) > BPF_MAXINSNS)
		return isolab_error_set(err, -E2BIG,
					"seccomp: the filter is %lld bytes (at most %d instructions of %zu)",
					(long long)st.st_size, BPF_MAXINSNS, sizeof(*buf));
	buf = malloc((size_t)st.st_size);
	if (buf == NULL)
		return isolab_error_set(err, -ENOMEM, "seccomp: out of memory");
	got = pread(fd, buf, (size_t)st.st_size, 0);
	if (got != st.st_size)
		return isolab_error_errno(err, got < 0 ? -errno : -EIO, "seccomp: read the filter back");
	*len = (size_t)st.st_size / sizeof(*buf);
	*insns = buf;
	buf = NULL;
	return 0;
}

int ctr_seccomp_export(const struct ctr_seccomp_profile *p, struct sock_filter **insns,
		       size_t *len, struct isolab_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(scmp_action(p->default_action, p->default_errno));
	int rc;

	*insns = NULL;
	*len = 0;
	if (ctx == NULL)
		return isolab_error_set(err, -ENOMEM, "seccomp: init the filter");
	rc = build(ctx, p, err);
	if (rc == 0)
		rc = export_program(ctx, insns, len, err);
	seccomp_release(ctx);
	return rc;
}
