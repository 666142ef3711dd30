/*
 * seccomp_load.c: the container's filter, made in the runtime and loaded
 * in the container. ctr_seccomp_prepare() resolves the profile and picks
 * its program: the one generated at build time when the resolved rule
 * set is one the build saw (the default profile, default capabilities:
 * a string compare instead of ~20 ms of libseccomp), else libseccomp's
 * (seccomp_build.c). ctr_seccomp_load() hands it to seccomp(2), the call
 * libseccomp's seccomp_load makes.
 */
#include "container/seccomp.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "container/config.h"

#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

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

void ctr_seccomp_libseccomp_version(char *buf, size_t len)
{
	const struct scmp_version *v = seccomp_version();

	if (v == NULL)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "%u.%u.%u", v->major, v->minor, v->micro);
}

static bool same_libseccomp(const char *version)
{
	char mine[40];

	ctr_seccomp_libseccomp_version(mine, sizeof(mine));
	return mine[0] != '\0' && strcmp(mine, version) == 0;
}

const struct ctr_seccomp_precomputed *
ctr_seccomp_find_precomputed(const struct ctr_seccomp_profile *p)
{
	_cleanup_free_ char *key = NULL;

	if (ctr_seccomp_n_precomputed == 0 || !same_libseccomp(ctr_seccomp_precomputed_libseccomp) ||
	    ctr_seccomp_key(p, &key) < 0)
		return NULL; /* out of memory: libseccomp will say so */
	for (size_t i = 0; i < ctr_seccomp_n_precomputed; i++)
		if (strcmp(ctr_seccomp_precomputed[i].key, key) == 0)
			return &ctr_seccomp_precomputed[i];
	return NULL;
}

int ctr_seccomp_prepare(struct ctr_config *cfg, struct isolab_error *err)
{
	const struct ctr_seccomp_precomputed *pre;
	struct ctr_seccomp_profile *p;
	struct utsname u;
	int rc;

	if (cfg->seccomp_unconfined) {
		ctr_seccomp_free(cfg->seccomp);
		cfg->seccomp = NULL;
		return 0;
	}
	if (cfg->seccomp == NULL && ctr_seccomp_default(&cfg->seccomp) < 0)
		return isolab_error_set(err, -ENOMEM, "seccomp: out of memory");
	if (uname(&u) < 0)
		return isolab_error_errno(err, -errno, "uname");
	p = cfg->seccomp;
	ctr_seccomp_resolve(p, cfg->caps.bounding | cfg->caps.effective,
			    ctr_seccomp_kernel_version(u.release));
	pre = ctr_seccomp_find_precomputed(p);
	if (pre != NULL) {
		p->bpf = pre->insns;
		p->bpf_len = pre->len;
		return 0;
	}
	free(p->bpf_buf);
	rc = ctr_seccomp_export(p, &p->bpf_buf, &p->bpf_len, err);
	p->bpf = p->bpf_buf;
	return rc;
}

/* CTR_SCMP_FLAG_* as SECCOMP_FILTER_FLAG_*. */
static unsigned filter_flags(unsigned flags)
{
	return ((flags & CTR_SCMP_FLAG_TSYNC) ? SECCOMP_FILTER_FLAG_TSYNC : 0) |
	       ((flags & CTR_SCMP_FLAG_LOG) ? SECCOMP_FILTER_FLAG_LOG : 0) |
	       ((flags & CTR_SCMP_FLAG_SPEC_ALLOW) ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0);
}

int ctr_seccomp_load(const struct ctr_seccomp_profile *p, struct isolab_error *err)
{
	struct sock_fprog prog = { .len = (unsigned short)p->bpf_len,
				   .filter = (struct sock_filter *)p->bpf };
	long rc;

	if (p->bpf == NULL || p->bpf_len == 0 || p->bpf_len > BPF_MAXINSNS)
		return isolab_error_set(err, -EINVAL, "seccomp: no filter prepared");
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, filter_flags(p->flags), &prog);
	if (rc < 0)
		return isolab_error_errno(err, -errno, "seccomp: load the filter");
	if (rc > 0) /* TSYNC: a thread that could not be synchronised */
		return isolab_error_set(err, -ESRCH, "seccomp: load the filter: thread %ld",
					rc);
	return 0;
}
