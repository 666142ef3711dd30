/* oci.c: OCI runtime-spec config.json -> struct ctr_config (see oci.h).
 * Field names and meanings: opencontainers/runtime-spec config.md and
 * config-linux.md. */
#include "container/oci.h"
#include "common/jsonfile.h"
#include "container/caps.h"
#include "container/cgroup.h"
#include "container/oci_extras.h"
#include "container/oci_policy.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

static int bad(struct isolab_error *err, const char *field, const char *what)
{
	isolab_error_set(err, -EINVAL, "config.json: %s: %s", field, what);
	return -EINVAL;
}

/* An optional member of the given type; NULL if absent, error if wrong. */
static int member(const cJSON *obj, const char *name, const char *field, int type,
		  const cJSON **out, struct isolab_error *err)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);

	*out = NULL;
	if (m == NULL || cJSON_IsNull(m))
		return 0;
	if (type == cJSON_True ? !cJSON_IsBool(m) : !(m->type & type))
		return bad(err, field,
			   type == cJSON_String   ? "must be a string"
			   : type == cJSON_Number ? "must be a number"
			   : type == cJSON_Array  ? "must be an array"
			   : type == cJSON_Object ? "must be an object"
						  : "must be a boolean");
	*out = m;
	return 0;
}

static int required(const cJSON *obj, const char *name, const char *field, int type,
		    const cJSON **out, struct isolab_error *err)
{
	if (member(obj, name, field, type, out, err) < 0)
		return -EINVAL;
	if (*out == NULL)
		return bad(err, field, "missing (required)");
	return 0;
}

static int number_u64(const cJSON *n, const char *field, uint64_t max, uint64_t *v,
		      struct isolab_error *err)
{
	if (n == NULL)
		return bad(err, field, "missing (required)");
	if (n->valuedouble < 0 || n->valuedouble > (double)max ||
	    n->valuedouble != (double)(uint64_t)n->valuedouble)
		return bad(err, field, "not a valid non-negative integer");
	*v = (uint64_t)n->valuedouble;
	return 0;
}

static int string_array(const cJSON *arr, const char *field, char ***v, size_t *n,
			struct isolab_error *err)
{
	const cJSON *it;
	char name[96];
	int i = 0;

	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it)) {
			snprintf(name, sizeof(name), "%s[%d]", field, i);
			return bad(err, name, "must be a string");
		}
		if (ctr_strv_push(v, n, it->valuestring) < 0)
			return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
		i++;
	}
	return 0;
}

static int parse_caps(const cJSON *caps, struct ctr_caps *out, struct isolab_error *err)
{
	static const char *const sets[] = { "bounding", "effective", "permitted",
					    "inheritable", "ambient" };
	uint64_t *dst[] = { &out->bounding, &out->effective, &out->permitted,
			    &out->inheritable, &out->ambient };

	for (size_t s = 0; s < 5; s++) {
		const cJSON *arr, *it;
		char field[96];
		int i = 0;

		snprintf(field, sizeof(field), "process.capabilities.%s", sets[s]);
		if (member(caps, sets[s], field, cJSON_Array, &arr, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		*dst[s] = 0; /* absent set: empty, as the spec says */
		cJSON_ArrayForEach(it, arr) {
			int cap;

			snprintf(field, sizeof(field), "process.capabilities.%s[%d]", sets[s], i++);
			if (!cJSON_IsString(it))
				return bad(err, field, "must be a string");
			if (ctr_cap_from_name(it->valuestring, &cap) < 0)
				return isolab_error_set(err, -EINVAL,
							"config.json: %s: unknown capability `%s`", field,
							it->valuestring);
			*dst[s] |= 1ull << cap;
		}
	}
	return 0;
}

/*
 * A JSON rlimit value: a non-negative integer. From 9.2e18 up it means
 * RLIM_INFINITY (no double there is a fraction, and casting one to an
 * integer type would be undefined: the fuzzer found 1.8e58).
 */
static bool rlimit_value_valid(double v)
{
	return v >= 9.2e18 || (v >= 0 && v == (double)(long long)v);
}

static int rlimit_from_name(const char *name, int *res)
{
	static const struct {
		const char *name;
		int res;
	} t[] = {
		{ "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_FSIZE", RLIMIT_FSIZE },
		{ "RLIMIT_DATA", RLIMIT_DATA },       { "RLIMIT_STACK", RLIMIT_STACK },
		{ "RLIMIT_CORE", RLIMIT_CORE },       { "RLIMIT_RSS", RLIMIT_RSS },
		{ "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
		{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
		{ "RLIMIT_LOCKS", RLIMIT_LOCKS },     { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
		{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
		{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(t[i].name, name) == 0) {
			*res = t[i].res;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_process(const cJSON *proc, struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *args, *env, *cwd, *user, *caps, *rl, *nnp, *term, *it;
	uint64_t v = 0;
	int i = 0;

	if (required(proc, "args", "process.args", cJSON_Array, &args, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (cJSON_GetArraySize(args) == 0)
		return bad(err, "process.args", "must not be empty");
	if (string_array(args, "process.args", &cfg->argv, &cfg->argc, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (member(proc, "env", "process.env", cJSON_Array, &env, err) < 0 ||
	    string_array(env, "process.env", &cfg->env, &cfg->n_env, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (required(proc, "cwd", "process.cwd", cJSON_String, &cwd, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (cwd->valuestring[0] != '/')
		return bad(err, "process.cwd", "must be an absolute path");
	cfg->cwd = strdup(cwd->valuestring);
	if (member(proc, "user", "process.user", cJSON_Object, &user, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (user != NULL) {
		const cJSON *uid, *gid, *groups;

		if (required(user, "uid", "process.user.uid", cJSON_Number, &uid, err) < 0 ||
		    number_u64(uid, "process.user.uid", UINT32_MAX - 1, &v, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		cfg->uid = (uint32_t)v;
		if (required(user, "gid", "process.user.gid", cJSON_Number, &gid, err) < 0 ||
		    number_u64(gid, "process.user.gid", UINT32_MAX - 1, &v, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		cfg->gid = (uint32_t)v;
		if (member(user, "additionalGids", "process.user.additionalGids", cJSON_Array,
			   &groups, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		cJSON_ArrayForEach(it, groups) {
			uint32_t *ng;

			if (!cJSON_IsNumber(it) ||
			    number_u64(it, "process.user.additionalGids", UINT32_MAX - 1, &v, err) < 0)
				return bad(err, "process.user.additionalGids", "must hold gids");
			ng = realloc(cfg->groups, (cfg->n_groups + 1) * sizeof(*ng));
			if (ng == NULL)
				return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
			cfg->groups = ng;
			ng[cfg->n_groups++] = (uint32_t)v;
		}
	}
	if (member(proc, "capabilities", "process.capabilities", cJSON_Object, &caps, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (caps != NULL) {
		if (parse_caps(caps, &cfg->caps, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
	} else {
		memset(&cfg->caps, 0, sizeof(cfg->caps)); /* spec: absent = none */
	}
	if (member(proc, "noNewPrivileges", "process.noNewPrivileges", cJSON_True, &nnp, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	cfg->no_new_privs = nnp != NULL && cJSON_IsTrue(nnp);
	if (member(proc, "terminal", "process.terminal", cJSON_True, &term, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	cfg->tty = term != NULL && cJSON_IsTrue(term);
	if (member(proc, "rlimits", "process.rlimits", cJSON_Array, &rl, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	cJSON_ArrayForEach(it, rl) {
		const cJSON *type, *soft, *hard;
		struct ctr_rlimit *nr;
		char field[64];
		int res;

		snprintf(field, sizeof(field), "process.rlimits[%d].type", i);
		if (required(it, "type", field, cJSON_String, &type, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		if (rlimit_from_name(type->valuestring, &res) < 0)
			return isolab_error_set(err, -EINVAL, "config.json: %s: unknown `%s`", field,
						type->valuestring);
		snprintf(field, sizeof(field), "process.rlimits[%d].soft", i);
		if (required(it, "soft", field, cJSON_Number, &soft, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		snprintf(field, sizeof(field), "process.rlimits[%d].hard", i);
		if (required(it, "hard", field, cJSON_Number, &hard, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		if (!rlimit_value_valid(soft->valuedouble) || !rlimit_value_valid(hard->valuedouble)) {
			snprintf(field, sizeof(field), "process.rlimits[%d]", i);
			return bad(err, field, "soft and hard must be non-negative integers");
		}
		nr = realloc(cfg->rlimits, (cfg->n_rlimits + 1) * sizeof(*nr));
		if (nr == NULL)
			return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
		cfg->rlimits = nr;
		nr[cfg->n_rlimits].resource = res;
		/* Values above 2^53 (RLIM_INFINITY) cannot be exact in JSON doubles. */
		nr[cfg->n_rlimits].soft = soft->valuedouble >= 9.2e18 ? RLIM_INFINITY
								     : (uint64_t)soft->valuedouble;
		nr[cfg->n_rlimits].hard = hard->valuedouble >= 9.2e18 ? RLIM_INFINITY
								     : (uint64_t)hard->valuedouble;
		cfg->n_rlimits++;
		i++;
	}
	return 0;
}

static int parse_idmaps(const cJSON *arr, const char *field, struct ctr_idmap *maps,
			size_t *n, struct isolab_error *err)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr) {
		static const char *const keys[] = { "containerID", "hostID", "size" };
		uint64_t vals[3];
		char name[96];

		if (*n >= CTR_MAX_IDMAPS)
			return bad(err, field, "more than 5 mappings");
		for (int k = 0; k < 3; k++) {
			const cJSON *x;

			snprintf(name, sizeof(name), "%s[%zu].%s", field, *n, keys[k]);
			if (required(it, keys[k], name, cJSON_Number, &x, err) < 0 ||
			    number_u64(x, name, UINT32_MAX, &vals[k], err) < 0)
				return err->code < 0 ? err->code : -EINVAL;
		}
		maps[*n] = (struct ctr_idmap){ (uint32_t)vals[0], (uint32_t)vals[1],
					       (uint32_t)vals[2] };
		(*n)++;
	}
	return 0;
}

/* config-linux.md "Namespaces": the types this runtime makes. */
static const struct {
	const char *name;
	int flag;
} namespace_types[] = {
	{ "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
};

const char *ctr_oci_namespace_name(size_t i)
{
	return i < sizeof(namespace_types) / sizeof(namespace_types[0]) ? namespace_types[i].name
									: NULL;
}

static int parse_namespaces(const cJSON *arr, struct ctr_config *cfg, struct isolab_error *err)
{
	const size_t n_types = sizeof(namespace_types) / sizeof(namespace_types[0]);
	const cJSON *it;
	int i = 0;

	cfg->namespaces = 0;
	cJSON_ArrayForEach(it, arr) {
		const cJSON *type, *path;
		char field[64];
		size_t k;

		snprintf(field, sizeof(field), "linux.namespaces[%d].type", i);
		if (required(it, "type", field, cJSON_String, &type, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		for (k = 0; k < n_types; k++)
			if (strcmp(namespace_types[k].name, type->valuestring) == 0)
				break;
		if (k == n_types)
			return isolab_error_set(err, -EINVAL, "config.json: %s: unknown `%s`", field,
						type->valuestring);
		snprintf(field, sizeof(field), "linux.namespaces[%d].path", i);
		if (member(it, "path", field, cJSON_String, &path, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		if (path != NULL && namespace_types[k].flag != CLONE_NEWNET)
			return bad(err, field, "joining an existing namespace is not supported");
		if (path != NULL) { /* joined by the runtime: netns.h */
			free(cfg->netns_path);
			cfg->netns_path = strdup(path->valuestring);
			if (cfg->netns_path == NULL)
				return isolab_error_set(err, -ENOMEM, "out of memory");
		} else {
			cfg->namespaces |= namespace_types[k].flag;
		}
		i++;
	}
	return 0;
}

static int parse_mounts(const cJSON *arr, struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *it;
	int i = 0;

	cJSON_ArrayForEach(it, arr) {
		const cJSON *dst, *type, *src, *opts;
		char **options = NULL;
		size_t n = 0;
		char field[64];
		int rc;

		snprintf(field, sizeof(field), "mounts[%d].destination", i);
		if (required(it, "destination", field, cJSON_String, &dst, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		if (dst->valuestring[0] != '/')
			return bad(err, field, "must be an absolute path");
		snprintf(field, sizeof(field), "mounts[%d].type", i);
		if (member(it, "type", field, cJSON_String, &type, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		snprintf(field, sizeof(field), "mounts[%d].source", i);
		if (member(it, "source", field, cJSON_String, &src, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		snprintf(field, sizeof(field), "mounts[%d].options", i);
		if (member(it, "options", field, cJSON_Array, &opts, err) < 0 ||
		    string_array(opts, field, &options, &n, err) < 0) {
			for (size_t k = 0; k < n; k++)
				free(options[k]);
			free(options);
			return err->code < 0 ? err->code : -EINVAL;
		}
		rc = ctr_config_add_mount(cfg, src ? src->valuestring : NULL, dst->valuestring,
					  type ? type->valuestring : NULL,
					  (const char *const *)options, n, err);
		for (size_t k = 0; k < n; k++)
			free(options[k]);
		free(options);
		if (rc < 0)
			return isolab_error_wrap(err, "config.json: mounts[%d]", i);
		struct ctr_mount *m = &cfg->mounts[cfg->n_mounts - 1];
		if ((m->flags & MS_BIND) && src == NULL)
			return bad(err, field, "a bind mount needs a source");
		i++;
	}
	return 0;
}

/* linux.cgroupsPath (cgroup.h: where the container's cgroup is). */
static int parse_cgroups_path(const cJSON *lnx, struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *v;
	const char *why;

	if (member(lnx, "cgroupsPath", "linux.cgroupsPath", cJSON_String, &v, err) < 0)
		return -EINVAL;
	if (v == NULL || v->valuestring[0] == '\0')
		return 0;
	why = ctr_cgroup_path_problem(v->valuestring);
	if (why != NULL)
		return isolab_error_set(err, -EINVAL, "config.json: linux.cgroupsPath: `%s`: %s",
					v->valuestring, why);
	free(cfg->cgroups_path);
	cfg->cgroups_path = strdup(v->valuestring);
	if (cfg->cgroups_path == NULL)
		return isolab_error_set(err, -ENOMEM, "config.json: linux.cgroupsPath: out of memory");
	return 0;
}

/* linux.resources.cpu.cpus or .mems (name): a list such as "0-3,5". */
static int parse_cpuset(const cJSON *cpu, const char *name, char **out, struct isolab_error *err)
{
	char field[48];
	const cJSON *v;

	snprintf(field, sizeof(field), "linux.resources.cpu.%s", name);
	if (member(cpu, name, field, cJSON_String, &v, err) < 0)
		return -EINVAL;
	if (v == NULL || v->valuestring[0] == '\0')
		return 0;
	if (ctr_cgroup_cpuset_list_check(v->valuestring) < 0)
		return isolab_error_set(err, -EINVAL, "config.json: %s: `%s`: not a list such as 0-3,5",
					field, v->valuestring);
	free(*out);
	*out = strdup(v->valuestring);
	if (*out == NULL)
		return isolab_error_set(err, -ENOMEM, "config.json: %s: out of memory", field);
	return 0;
}

static int parse_linux(const cJSON *lnx, struct ctr_config *cfg, struct isolab_error *err)
{
	const cJSON *ns, *um, *gm, *res, *masked, *ro;

	if (member(lnx, "namespaces", "linux.namespaces", cJSON_Array, &ns, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (ns != NULL && parse_namespaces(ns, cfg, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (member(lnx, "uidMappings", "linux.uidMappings", cJSON_Array, &um, err) < 0 ||
	    parse_idmaps(um, "linux.uidMappings", cfg->uid_map, &cfg->n_uid_map, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (member(lnx, "gidMappings", "linux.gidMappings", cJSON_Array, &gm, err) < 0 ||
	    parse_idmaps(gm, "linux.gidMappings", cfg->gid_map, &cfg->n_gid_map, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (member(lnx, "maskedPaths", "linux.maskedPaths", cJSON_Array, &masked, err) < 0 ||
	    string_array(masked, "linux.maskedPaths", &cfg->masked_paths, &cfg->n_masked, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (member(lnx, "readonlyPaths", "linux.readonlyPaths", cJSON_Array, &ro, err) < 0 ||
	    string_array(ro, "linux.readonlyPaths", &cfg->readonly_paths, &cfg->n_readonly,
			 err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (parse_cgroups_path(lnx, cfg, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (member(lnx, "resources", "linux.resources", cJSON_Object, &res, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (res != NULL) {
		const cJSON *mem, *cpu, *pids, *x;
		uint64_t v;

		if (member(res, "memory", "linux.resources.memory", cJSON_Object, &mem, err) < 0 ||
		    member(res, "cpu", "linux.resources.cpu", cJSON_Object, &cpu, err) < 0 ||
		    member(res, "pids", "linux.resources.pids", cJSON_Object, &pids, err) < 0)
			return err->code < 0 ? err->code : -EINVAL;
		if (mem != NULL) {
			if (member(mem, "limit", "linux.resources.memory.limit", cJSON_Number, &x,
				   err) < 0)
				return err->code < 0 ? err->code : -EINVAL;
			if (x != NULL && x->valuedouble >= 0) {
				if (number_u64(x, "linux.resources.memory.limit", 1ull << 62, &v, err) < 0)
					return err->code < 0 ? err->code : -EINVAL;
				cfg->memory_limit = v;
			}
		}
		if (cpu != NULL && (parse_cpuset(cpu, "cpus", &cfg->cpuset_cpus, err) < 0 ||
				    parse_cpuset(cpu, "mems", &cfg->cpuset_mems, err) < 0))
			return err->code;
		if (cpu != NULL) {
			if (member(cpu, "period", "linux.resources.cpu.period", cJSON_Number, &x,
				   err) < 0)
				return err->code < 0 ? err->code : -EINVAL;
			if (x != NULL) {
				if (number_u64(x, "linux.resources.cpu.period", 1000000, &v, err) < 0 ||
				    v < 1000)
					return bad(err, "linux.resources.cpu.period",
						   "must be 1000 to 1000000 (us)");
				cfg->cpu_period = v;
			}
			if (member(cpu, "quota", "linux.resources.cpu.quota", cJSON_Number, &x,
				   err) < 0)
				return err->code < 0 ? err->code : -EINVAL;
			if (x != NULL && x->valuedouble > 0) {
				if (number_u64(x, "linux.resources.cpu.quota", 1ull << 40, &v, err) < 0 ||
				    v < 1000)
					return bad(err, "linux.resources.cpu.quota",
						   "must be at least 1000 (us)");
				cfg->cpu_quota = (int64_t)v;
			}
		}
		if (pids != NULL) {
			if (required(pids, "limit", "linux.resources.pids.limit", cJSON_Number, &x,
				     err) < 0)
				return err->code < 0 ? err->code : -EINVAL;
			cfg->pids_limit = 0; /* runtime-spec: 0 or -1 is unlimited */
			if (x->valuedouble > 0) {
				if (number_u64(x, "linux.resources.pids.limit", 1ull << 22, &v, err) < 0)
					return err->code < 0 ? err->code : -EINVAL;
				cfg->pids_limit = (int64_t)v;
			}
		}
	}
	return 0;
}

int ctr_oci_from_json(const cJSON *doc, const char *bundle_dir, struct ctr_config *cfg,
		      struct isolab_error *err)
{
	return ctr_oci_from_json_host(doc, bundle_dir, NULL, cfg, err);
}

int ctr_oci_from_json_host(const cJSON *doc, const char *bundle_dir,
			   const struct ctr_host_features *features, struct ctr_config *cfg,
			   struct isolab_error *err)
{
	const cJSON *ver, *root, *path, *ro, *proc, *host, *mounts, *lnx;

	if (!cJSON_IsObject(doc))
		return bad(err, "(document)", "must be a JSON object");
	if (required(doc, "ociVersion", "ociVersion", cJSON_String, &ver, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (required(doc, "root", "root", cJSON_Object, &root, err) < 0 ||
	    required(root, "path", "root.path", cJSON_String, &path, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (path->valuestring[0] == '\0')
		return bad(err, "root.path", "must not be empty");
	if (path->valuestring[0] == '/' || bundle_dir == NULL) {
		if (ctr_strv_push(&cfg->layers, &cfg->n_layers, path->valuestring) < 0)
			return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
	} else {
		char *abs;

		if (asprintf(&abs, "%s/%s", bundle_dir, path->valuestring) < 0)
			return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
		int rc = ctr_strv_push(&cfg->layers, &cfg->n_layers, abs);
		free(abs);
		if (rc < 0)
			return isolab_error_set(err, -ENOMEM, "config.json: out of memory");
	}
	if (member(root, "readonly", "root.readonly", cJSON_True, &ro, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	cfg->readonly_root = ro != NULL && cJSON_IsTrue(ro);
	if (required(doc, "process", "process", cJSON_Object, &proc, err) < 0 ||
	    parse_process(proc, cfg, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (member(doc, "hostname", "hostname", cJSON_String, &host, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (host != NULL) {
		if (strlen(host->valuestring) > 64)
			return bad(err, "hostname", "longer than 64 characters");
		cfg->hostname = strdup(host->valuestring);
	}
	if (member(doc, "mounts", "mounts", cJSON_Array, &mounts, err) < 0 ||
	    parse_mounts(mounts, cfg, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (member(doc, "linux", "linux", cJSON_Object, &lnx, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (lnx != NULL && parse_linux(lnx, cfg, err) < 0)
		return err->code < 0 ? err->code : -EINVAL;
	if (ctr_oci_policy_from_json(lnx, cfg, err) < 0)
		return err->code;
	if (ctr_oci_extras_from_json(doc, features, cfg, err) < 0)
		return err->code;
	if ((cfg->namespaces & CLONE_NEWUSER) && (cfg->n_uid_map == 0 || cfg->n_gid_map == 0))
		return bad(err, "linux.uidMappings",
			   "a user namespace needs uidMappings and gidMappings");
	if ((cfg->namespaces & CLONE_NEWNS) == 0)
		return bad(err, "linux.namespaces", "a mount namespace is required");
	return 0;
}

void ctr_host_features_detect(struct ctr_host_features *host)
{
	FILE *f = fopen("/proc/filesystems", "re");
	char line[128];

	memset(host, 0, sizeof(*host));
	host->apparmor = access("/sys/kernel/security/apparmor", F_OK) == 0;
	host->selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "\tresctrl\n") != NULL)
			host->intel_rdt = true;
	if (f != NULL)
		fclose(f);
	host->blkio_weight = access("/sys/fs/cgroup/blkio/blkio.weight", F_OK) == 0 ||
			     access("/sys/fs/cgroup/io.weight", F_OK) == 0 ||
			     access("/sys/fs/cgroup/isolab-ctr/io.weight", F_OK) == 0;
}

/* doc's process replaced by the object in process_file. */
static int replace_process(cJSON *doc, const char *process_file, struct isolab_error *err)
{
	cJSON *proc = NULL;
	int rc = isolab_json_read(process_file, &proc, err);

	if (rc < 0)
		return isolab_error_wrap(err, "--process");
	if (!cJSON_IsObject(proc)) {
		cJSON_Delete(proc);
		return isolab_error_set(err, -EINVAL, "--process `%s`: not a JSON object", process_file);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "process");
	cJSON_AddItemToObject(doc, "process", proc);
	return 0;
}

int ctr_oci_load(const char *bundle_dir, struct ctr_config *cfg, struct isolab_error *err)
{
	return ctr_oci_load_with(bundle_dir, NULL, cfg, NULL, err);
}

int ctr_oci_load_with(const char *bundle_dir, const char *process_file, struct ctr_config *cfg,
		      cJSON **annotations, struct isolab_error *err)
{
	char path[PATH_MAX];
	char *abs;
	cJSON *doc = NULL;
	int rc;

	abs = realpath(bundle_dir, NULL);
	if (abs == NULL)
		return isolab_error_errno(err, -errno, "bundle `%s`", bundle_dir);
	snprintf(path, sizeof(path), "%.4000s/config.json", abs);
	rc = isolab_json_read(path, &doc, err);
	if (rc == 0 && process_file != NULL)
		rc = replace_process(doc, process_file, err);
	if (rc == 0 && annotations != NULL) {
		cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, "annotations");

		*annotations = cJSON_IsObject(a) && a->child != NULL
				       ? cJSON_DetachItemViaPointer(doc, a)
				       : NULL;
	}
	if (rc == 0) {
		struct ctr_host_features host;

		ctr_host_features_detect(&host);
		rc = ctr_oci_from_json_host(doc, abs, &host, cfg, err);
		if (rc < 0)
			isolab_error_wrap(err, "bundle `%s`", bundle_dir);
	}
	cJSON_Delete(doc);
	free(abs);
	return rc;
}
