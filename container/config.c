/* config.c: the container description shared by the CLI and OCI front
 * ends: defaults, ownership, mount option parsing, validation (pure). */
#include "container/config.h"
#include "container/exec_cmd.h"
#include "container/seccomp.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

uint64_t ctr_default_caps(void)
{
	/* moby/moby oci/caps/defaults.go: DefaultCapabilities(). */
	static const int caps[] = {
		CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD,
		CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP,
		CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
	};
	uint64_t mask = 0;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		mask |= 1ull << caps[i];
	return mask;
}

/* moby/moby oci/defaults.go: DefaultLinuxSpec() maskedPaths/readonlyPaths,
 * plus /proc/sysrq-trigger masked outright. */
const char *const ctr_default_masked_paths[] = {
	"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore",
	"/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/proc/sysrq-trigger", "/sys/firmware", "/sys/devices/virtual/powercap",
	NULL,
};

const char *const ctr_default_readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", NULL,
};

void ctr_config_init(struct ctr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->caps.bounding = cfg->caps.effective = cfg->caps.permitted =
		cfg->caps.inheritable = ctr_default_caps();
	cfg->no_new_privs = true;
	cfg->namespaces = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
			  CLONE_NEWCGROUP | CLONE_NEWNET;
	cfg->cpu_period = 100000;
	cfg->pids_limit = CTR_DEFAULT_PIDS;
	cfg->layer_size = CTR_DEFAULT_LAYER_SIZE;
	cfg->umask = -1;
	cfg->personality = -1;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void ctr_config_free(struct ctr_config *cfg)
{
	free(cfg->id);
	free(cfg->hostname);
	strv_free(cfg->layers, cfg->n_layers);
	strv_free(cfg->argv, cfg->argc);
	strv_free(cfg->env, cfg->n_env);
	free(cfg->cwd);
	free(cfg->netns_path);
	free(cfg->groups);
	free(cfg->rlimits);
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		free(cfg->mounts[i].source);
		free(cfg->mounts[i].destination);
		free(cfg->mounts[i].type);
		free(cfg->mounts[i].data);
	}
	free(cfg->mounts);
	strv_free(cfg->masked_paths, cfg->n_masked);
	strv_free(cfg->readonly_paths, cfg->n_readonly);
	free(cfg->cgroup_parent);
	free(cfg->cgroups_path);
	free(cfg->cpuset_cpus);
	free(cfg->cpuset_mems);
	for (size_t i = 0; i < cfg->n_sysctls; i++) {
		free(cfg->sysctls[i].key);
		free(cfg->sysctls[i].value);
	}
	free(cfg->sysctls);
	for (int k = 0; k < CTR_HOOK_KINDS; k++) {
		for (size_t i = 0; i < cfg->n_hooks[k]; i++) {
			free(cfg->hooks[k][i].path);
			strv_free(cfg->hooks[k][i].args, cfg->hooks[k][i].n_args);
			strv_free(cfg->hooks[k][i].env, cfg->hooks[k][i].n_env);
		}
		free(cfg->hooks[k]);
	}
	free(cfg->hooks_json);
	free(cfg->blkio_limits);
	free(cfg->dev_rules);
	for (size_t i = 0; i < cfg->n_dev_nodes; i++)
		free(cfg->dev_nodes[i].path);
	free(cfg->dev_nodes);
	ctr_seccomp_free(cfg->seccomp);
	free(cfg->seccomp_path);
	free(cfg->keep_layer);
	free(cfg->stats_path);
	free(cfg->bundle);
	memset(cfg, 0, sizeof(*cfg));
}

int ctr_strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	char *copy;

	if (nv == NULL)
		return -ENOMEM;
	*v = nv;
	copy = strdup(s);
	if (copy == NULL)
		return -ENOMEM;
	nv[*n] = copy;
	nv[*n + 1] = NULL;
	(*n)++;
	return 0;
}

struct mount_flag {
	const char *name;
	bool clear;
	unsigned long flag;
};

/* mount(8) FILESYSTEM-INDEPENDENT MOUNT OPTIONS and mount(2) MS_* flags. */
static const struct mount_flag mount_flags[] = {
	{ "defaults", false, 0 },
	{ "ro", false, MS_RDONLY },         { "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID },     { "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV },       { "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC },     { "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS },  { "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },   { "remount", false, MS_REMOUNT },
	{ "mand", false, MS_MANDLOCK },     { "nomand", true, MS_MANDLOCK },
	{ "noatime", false, MS_NOATIME },   { "atime", true, MS_NOATIME },
	{ "nodiratime", false, MS_NODIRATIME }, { "diratime", true, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME }, { "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME },
	{ "nostrictatime", true, MS_STRICTATIME },
	{ "bind", false, MS_BIND },         { "rbind", false, MS_BIND | MS_REC },
};

static const struct mount_flag propagation_flags[] = {
	{ "private", false, MS_PRIVATE },   { "rprivate", false, MS_PRIVATE | MS_REC },
	{ "shared", false, MS_SHARED },     { "rshared", false, MS_SHARED | MS_REC },
	{ "slave", false, MS_SLAVE },       { "rslave", false, MS_SLAVE | MS_REC },
	{ "unbindable", false, MS_UNBINDABLE },
	{ "runbindable", false, MS_UNBINDABLE | MS_REC },
};

const char *ctr_mount_option_name(size_t i)
{
	size_t n_mount = sizeof(mount_flags) / sizeof(mount_flags[0]);

	if (i < n_mount)
		return mount_flags[i].name;
	i -= n_mount;
	if (i < sizeof(propagation_flags) / sizeof(propagation_flags[0]))
		return propagation_flags[i].name;
	return NULL;
}

static const struct mount_flag *find_flag(const struct mount_flag *table, size_t n,
					  const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

int ctr_parse_mount_options(const char *const *options, size_t n,
			    unsigned long *flags, unsigned long *propagation,
			    char **data, struct isolab_error *err)
{
	size_t len = 0, cap = 64;
	char *buf = malloc(cap);

	if (buf == NULL)
		return isolab_error_set(err, -ENOMEM, "mount options: out of memory");
	buf[0] = '\0';
	*flags = 0;
	*propagation = 0;
	for (size_t i = 0; i < n; i++) {
		const char *o = options[i];
		const struct mount_flag *f;
		size_t olen;

		f = find_flag(mount_flags, sizeof(mount_flags) / sizeof(mount_flags[0]), o);
		if (f != NULL) {
			if (f->clear)
				*flags &= ~f->flag;
			else
				*flags |= f->flag;
			continue;
		}
		f = find_flag(propagation_flags,
			      sizeof(propagation_flags) / sizeof(propagation_flags[0]), o);
		if (f != NULL) {
			*propagation = f->flag;
			continue;
		}
		if (o[0] == '\0' || strchr(o, ',') != NULL) {
			free(buf);
			return isolab_error_set(err, -EINVAL, "mount option `%s`: invalid", o);
		}
		olen = strlen(o);
		if (len + olen + 2 > cap) {
			char *nb;

			cap = (len + olen + 2) * 2;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				return isolab_error_set(err, -ENOMEM, "mount options: out of memory");
			}
			buf = nb;
		}
		if (len > 0)
			buf[len++] = ',';
		memcpy(buf + len, o, olen + 1);
		len += olen;
	}
	*data = buf;
	return 0;
}

int ctr_config_add_mount(struct ctr_config *cfg, const char *source,
			 const char *destination, const char *type,
			 const char *const *options, size_t n_options,
			 struct isolab_error *err)
{
	struct ctr_mount *nm, *m;
	int rc;

	if (destination == NULL || destination[0] != '/')
		return isolab_error_set(err, -EINVAL,
					"mount destination `%s`: not an absolute path",
					destination ? destination : "");
	nm = realloc(cfg->mounts, (cfg->n_mounts + 1) * sizeof(*nm));
	if (nm == NULL)
		return isolab_error_set(err, -ENOMEM, "mounts: out of memory");
	cfg->mounts = nm;
	m = &nm[cfg->n_mounts];
	memset(m, 0, sizeof(*m));
	rc = ctr_parse_mount_options(options, n_options, &m->flags, &m->propagation,
				     &m->data, err);
	if (rc < 0)
		return isolab_error_wrap(err, "mount `%s`", destination);
	m->source = strdup(source ? source : "none");
	m->destination = strdup(destination);
	m->type = strdup(type ? type : ((m->flags & MS_BIND) ? "bind" : "none"));
	cfg->n_mounts++;
	if (m->source == NULL || m->destination == NULL || m->type == NULL)
		return isolab_error_set(err, -ENOMEM, "mounts: out of memory");
	if (strcmp(m->type, "bind") == 0)
		m->flags |= MS_BIND;
	return 0;
}

int ctr_config_add_default_mounts(struct ctr_config *cfg, struct isolab_error *err)
{
	/* What `runc spec` writes (runtime-spec config.md examples). */
	static const char *const proc_opts[] = { "nosuid", "noexec", "nodev" };
	static const char *const dev_opts[] = { "nosuid", "strictatime", "mode=755", "size=65536k" };
	static const char *const pts_opts[] = { "nosuid", "noexec", "newinstance",
						"ptmxmode=0666", "mode=0620" };
	static const char *const shm_opts[] = { "nosuid", "noexec", "nodev", "mode=1777",
						"size=65536k" };
	static const char *const sys_opts[] = { "nosuid", "noexec", "nodev", "ro" };
	int rc;

	rc = ctr_config_add_mount(cfg, "proc", "/proc", "proc", proc_opts, 3, err);
	if (rc == 0)
		rc = ctr_config_add_mount(cfg, "tmpfs", "/dev", "tmpfs", dev_opts, 4, err);
	if (rc == 0)
		rc = ctr_config_add_mount(cfg, "devpts", "/dev/pts", "devpts", pts_opts, 5, err);
	if (rc == 0)
		rc = ctr_config_add_mount(cfg, "shm", "/dev/shm", "tmpfs", shm_opts, 5, err);
	if (rc == 0)
		rc = ctr_config_add_mount(cfg, "sysfs", "/sys", "sysfs", sys_opts, 4, err);
	return rc;
}

static void reverse_mounts(struct ctr_mount *m, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		struct ctr_mount t = m[i];

		m[i] = m[n - 1 - i];
		m[n - 1 - i] = t;
	}
}

int ctr_config_add_default_mounts_first(struct ctr_config *cfg, struct isolab_error *err)
{
	size_t before = cfg->n_mounts, added;
	int rc = ctr_config_add_default_mounts(cfg, err);

	if (rc < 0)
		return rc;
	/* Rotate the new ones to the front: reverse all, then each part. */
	added = cfg->n_mounts - before;
	reverse_mounts(cfg->mounts, cfg->n_mounts);
	reverse_mounts(cfg->mounts, added);
	reverse_mounts(cfg->mounts + added, before);
	return 0;
}

int ctr_config_add_cli_defaults(struct ctr_config *cfg, struct isolab_error *err)
{
	bool has_path = false;

	for (size_t i = 0; i < cfg->n_env; i++)
		has_path |= strncmp(cfg->env[i], "PATH=", 5) == 0;
	if (!has_path && ctr_strv_push(&cfg->env, &cfg->n_env, "PATH=" CTR_DEFAULT_PATH) < 0)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	if (ctr_config_add_default_mounts_first(cfg, err) < 0)
		return err->code;
	for (const char *const *p = ctr_default_masked_paths; *p; p++)
		if (ctr_strv_push(&cfg->masked_paths, &cfg->n_masked, *p) < 0)
			return isolab_error_set(err, -ENOMEM, "out of memory");
	for (const char *const *p = ctr_default_readonly_paths; *p; p++)
		if (ctr_strv_push(&cfg->readonly_paths, &cfg->n_readonly, *p) < 0)
			return isolab_error_set(err, -ENOMEM, "out of memory");
	return 0;
}

bool ctr_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	/* runc's ^[\w+-\.]+$, at most CTR_NAME_MAX bytes, and no leading dot:
	 * dot names in /run/isolab-ctr are the runtime's own (owner.h). */
	if (len == 0 || len > CTR_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

int ctr_check_rlimit(const struct ctr_rlimit *rl, struct isolab_error *err)
{
	if (rl->soft > rl->hard)
		return isolab_error_set(err, -EINVAL,
					"rlimit %d: soft limit %llu above the hard limit %llu",
					rl->resource, (unsigned long long)rl->soft,
					(unsigned long long)rl->hard);
	return 0;
}

int ctr_config_validate(const struct ctr_config *cfg, struct isolab_error *err)
{
	if (cfg->argc == 0)
		return isolab_error_set(err, -EINVAL, "no command given");
	if (cfg->n_layers == 0)
		return isolab_error_set(err, -EINVAL, "no root filesystem (use --rootfs or --layer)");
	if (cfg->cwd != NULL && cfg->cwd[0] != '/')
		return isolab_error_set(err, -EINVAL, "working directory `%s`: not absolute",
					cfg->cwd);
	/* The id names a state dir, an owner record and a cgroup. */
	if (!ctr_name_valid(cfg->id))
		return isolab_error_set(err, -EINVAL,
					"container name `%.*s`: invalid (1 to %d of A-Z a-z 0-9 _ + - ., not starting with a dot)",
					CTR_NAME_MAX + 1, cfg->id ? cfg->id : "", CTR_NAME_MAX);
	/* One check for the command line and config.json alike. */
	if (cfg->memory_limit != 0 && cfg->memory_limit < CTR_MEMORY_MIN)
		return isolab_error_set(err, -EINVAL,
					"memory limit %llu bytes: below the 6M minimum",
					(unsigned long long)cfg->memory_limit);
	for (size_t i = 0; i < cfg->n_rlimits; i++)
		if (ctr_check_rlimit(&cfg->rlimits[i], err) < 0)
			return err->code;
	if ((cfg->namespaces & CLONE_NEWNS) == 0)
		return isolab_error_set(err, -EINVAL, "a mount namespace is required");
	if ((cfg->namespaces & CLONE_NEWUSER) && (cfg->n_uid_map == 0 || cfg->n_gid_map == 0))
		return isolab_error_set(err, -EINVAL,
					"user namespace: uid and gid mappings are required");
	return 0;
}
