/* oci_extras.c: more of config.json into struct ctr_config (see oci_extras.h). */
#include "container/oci_extras.h"
#include "container/hooks.h"
#include "container/sysctl.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

static int bad(struct isolab_error *err, const char *field, const char *what)
{
	return isolab_error_set(err, -EINVAL, "config.json: %s: %s", field, what);
}

static const cJSON *get(const cJSON *obj, const char *name)
{
	const cJSON *m = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;

	return cJSON_IsNull(m) ? NULL : m;
}

/* An integer member in [min, max]; *present false when absent. */
static int integer(const cJSON *obj, const char *name, const char *field, double min, double max,
		   bool *present, long long *v, struct isolab_error *err)
{
	const cJSON *n = get(obj, name);

	*present = n != NULL;
	if (n == NULL)
		return 0;
	if (!cJSON_IsNumber(n) || n->valuedouble < min || n->valuedouble > max ||
	    n->valuedouble != (double)(long long)n->valuedouble)
		return bad(err, field, "not an integer in range");
	*v = (long long)n->valuedouble;
	return 0;
}

static int parse_process(const cJSON *proc, struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *size = get(proc, "consoleSize");
	long long v = 0;
	bool present;

	if (integer(proc, "oomScoreAdj", "process.oomScoreAdj", -1000, 1000, &present, &v, err) < 0)
		return -EINVAL;
	cfg->has_oom_score_adj = present;
	cfg->oom_score_adj = (int)v;
	if (integer(get(proc, "user"), "umask", "process.user.umask", 0, 0777, &present, &v, err) < 0)
		return -EINVAL;
	if (present)
		cfg->umask = (int)v;
	if (size != NULL) {
		if (integer(size, "height", "process.consoleSize.height", 0, 65535, &present, &v,
			    err) < 0)
			return -EINVAL;
		cfg->console_rows = (unsigned short)v;
		v = 0;
		if (integer(size, "width", "process.consoleSize.width", 0, 65535, &present, &v, err) <
		    0)
			return -EINVAL;
		cfg->console_cols = (unsigned short)v;
	}
	return 0;
}

static int add_sysctl(struct ctr_config *cfg, const char *key, const char *value,
		      struct isolab_error *err)
{
	/* A network namespace joined by path (netns.h) is the container's too
	 * (runc also refuses it when that path is the host's: not checked). */
	int namespaces = cfg->namespaces | (cfg->netns_path != NULL ? CLONE_NEWNET : 0);
	struct ctr_sysctl *n;

	if (ctr_sysctl_check(key, namespaces, err) < 0)
		return err->code;
	n = realloc(cfg->sysctls, (cfg->n_sysctls + 1) * sizeof(*n));
	if (n == NULL)
		return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
	cfg->sysctls = n;
	n[cfg->n_sysctls].key = strdup(key);
	n[cfg->n_sysctls].value = strdup(value);
	cfg->n_sysctls++;
	if (n[cfg->n_sysctls - 1].key == NULL || n[cfg->n_sysctls - 1].value == NULL)
		return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
	return 0;
}

static int parse_sysctl(const cJSON *sysctl, struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *it;

	if (sysctl == NULL)
		return 0;
	if (!cJSON_IsObject(sysctl))
		return bad(err, "linux.sysctl", "must be an object");
	cJSON_ArrayForEach(it, sysctl) {
		if (!cJSON_IsString(it))
			return isolab_error_set(err, -EINVAL,
						"config.json: linux.sysctl: `%s`: the value must be a string",
						it->string);
		if (add_sysctl(cfg, it->string, it->valuestring, err) < 0)
			return err->code;
	}
	return 0;
}

/* config-linux.md "Rootfs Mount Propagation". */
static int parse_propagation(const cJSON *p, struct ctr_config *cfg, struct isolab_error *err)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} t[] = {
		{ "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
		{ "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};

	if (p == NULL)
		return 0;
	if (cJSON_IsString(p))
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
			if (strcmp(p->valuestring, t[i].name) == 0) {
				cfg->rootfs_propagation = t[i].flags;
				return 0;
			}
	return bad(err, "linux.rootfsPropagation",
		   "must be one of shared, slave, private, unbindable (each also with r)");
}

/* config-linux.md "Personality": domain LINUX or LINUX32, no flags. */
static int parse_personality(const cJSON *p, struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *domain = get(p, "domain"), *flags = get(p, "flags");

	if (p == NULL)
		return 0;
	if (!cJSON_IsObject(p))
		return bad(err, "linux.personality", "must be an object");
	if (flags != NULL && (!cJSON_IsArray(flags) || flags->child != NULL))
		return bad(err, "linux.personality.flags", "no flag is supported");
	if (cJSON_IsString(domain) && strcmp(domain->valuestring, "LINUX") == 0)
		cfg->personality = PER_LINUX;
	else if (cJSON_IsString(domain) && strcmp(domain->valuestring, "LINUX32") == 0)
		cfg->personality = PER_LINUX32;
	else
		return bad(err, "linux.personality.domain", "must be LINUX or LINUX32");
	return 0;
}

/* memory.swap: this runtime gives no swap (cgroup.c): only swap equal to
 * the limit (memory plus swap, as runc reads it) says the same. */
static int parse_swap(const cJSON *mem, struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *swap = get(mem, "swap");

	if (swap == NULL)
		return 0;
	if (!cJSON_IsNumber(swap) || cfg->memory_limit == 0 ||
	    swap->valuedouble != (double)cfg->memory_limit)
		return bad(err, "linux.resources.memory.swap",
			   "not supported by isolab-ctr (no swap: only a value equal to memory.limit)");
	return 0;
}

/* config-linux.md "Block IO": the four throttles, and the weight (its
 * host support: oci_fields.h). */
static int parse_blkio(const cJSON *bio, struct ctr_config *cfg, struct isolab_error *err)
{
	static const char *const names[CTR_BLKIO_THROTTLES] = {
		"throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
		"throttleWriteIOPSDevice",
	};
	long long v = 0;
	bool present;

	if (bio == NULL)
		return 0;
	if (integer(bio, "weight", "linux.resources.blockIO.weight", 10, 1000, &present, &v, err) < 0)
		return -EINVAL;
	cfg->blkio_weight = present ? (uint16_t)v : 0;
	for (int k = 0; k < CTR_BLKIO_THROTTLES; k++) {
		const cJSON *arr = get(bio, names[k]), *it;
		int i = 0;

		if (arr == NULL)
			continue;
		if (!cJSON_IsArray(arr))
			return isolab_error_set(err, -EINVAL, "config.json: linux.resources.blockIO.%s: must be an array",
						names[k]);
		cJSON_ArrayForEach(it, arr) {
			struct ctr_blkio_limit *n, l = { .kind = (enum ctr_blkio_throttle)k };
			long long major = 0, minor = 0, rate = 0;
			bool p1, p2, p3;
			char field[96];

			snprintf(field, sizeof(field), "linux.resources.blockIO.%s[%d]", names[k], i++);
			if (integer(it, "major", field, 0, 4095, &p1, &major, err) < 0 ||
			    integer(it, "minor", field, 0, 1048575, &p2, &minor, err) < 0 ||
			    integer(it, "rate", field, 0, 9.2e18, &p3, &rate, err) < 0)
				return -EINVAL;
			if (!p1 || !p2 || !p3)
				return bad(err, field, "major, minor and rate are required");
			l.major = (unsigned)major;
			l.minor = (unsigned)minor;
			l.rate = (uint64_t)rate;
			n = realloc(cfg->blkio_limits, (cfg->n_blkio_limits + 1) * sizeof(*n));
			if (n == NULL)
				return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
			cfg->blkio_limits = n;
			n[cfg->n_blkio_limits++] = l;
		}
	}
	return 0;
}

int ctr_oci_extras_from_json(const cJSON *doc, const struct ctr_host_features *host,
			     struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *lnx = get(doc, "linux"), *res = get(lnx, "resources");
	const cJSON *domain = get(doc, "domainname");
	long long shares = 0;
	bool present;
	int rc;

	rc = ctr_oci_check_fields(doc, host, err);
	if (rc == 0)
		rc = parse_process(get(doc, "process"), cfg, err);
	if (rc == 0 && domain != NULL) {
		if (!cJSON_IsString(domain))
			return bad(err, "domainname", "must be a string");
		if (!(cfg->namespaces & CLONE_NEWUTS))
			return bad(err, "domainname", "needs a uts namespace of its own");
		rc = add_sysctl(cfg, "kernel.domainname", domain->valuestring, err);
	}
	if (rc == 0)
		rc = parse_sysctl(get(lnx, "sysctl"), cfg, err);
	if (rc == 0)
		rc = parse_propagation(get(lnx, "rootfsPropagation"), cfg, err);
	if (rc == 0)
		rc = parse_personality(get(lnx, "personality"), cfg, err);
	if (rc == 0)
		rc = parse_swap(get(res, "memory"), cfg, err);
	if (rc == 0)
		rc = integer(get(res, "cpu"), "shares", "linux.resources.cpu.shares", 0, 262144,
			     &present, &shares, err);
	if (rc == 0 && shares > 0)
		cfg->cpu_shares = (uint64_t)(shares < 2 ? 2 : shares); /* 0: unset, as runc */
	if (rc == 0)
		rc = parse_blkio(get(res, "blockIO"), cfg, err);
	if (rc == 0)
		rc = ctr_hooks_from_json(get(doc, "hooks"), cfg, err);
	return rc < 0 ? err->code : 0;
}
