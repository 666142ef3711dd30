/* cgroup.c: per-container cgroups on v1, hybrid and v2 hosts (see cgroup.h). */
#include "container/cgroup.h"
#include "common/cleanup.h"
#include "common/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

const char *const ctr_cgroup_v1_names[CTR_V1_COUNT] = { "memory", "cpu", "pids", "devices",
							      "freezer", "blkio", "cpuset" };

/* ---- pure part ---- */

int ctr_cgroup_mode_from_magic(long root_magic, long unified_magic,
			       enum ctr_cgroup_mode *mode, struct isolab_error *err)
{
	if (root_magic == CTR_CGROUP2_SUPER_MAGIC) {
		*mode = CTR_CGROUP_V2;
		return 0;
	}
	if (root_magic == CTR_TMPFS_MAGIC) {
		*mode = unified_magic == CTR_CGROUP2_SUPER_MAGIC ? CTR_CGROUP_HYBRID
								 : CTR_CGROUP_V1;
		return 0;
	}
	return isolab_error_set(err, -ENOTSUP,
				"%s: neither cgroup2 nor a tmpfs of v1 hierarchies (magic 0x%lx)",
				CTR_CGROUP_ROOT, root_magic);
}

const char *ctr_cgroup_mode_name(enum ctr_cgroup_mode mode)
{
	switch (mode) {
	case CTR_CGROUP_V1:
		return "v1";
	case CTR_CGROUP_HYBRID:
		return "hybrid";
	case CTR_CGROUP_V2:
		return "v2";
	}
	return "?";
}

/* value "A", or "A B" when b >= 0 */
static void add_write(struct ctr_cgroup_write *out, int *n, int ctrl, const char *file,
		      bool optional, long long a, long long b)
{
	struct ctr_cgroup_write *w = &out[(*n)++];

	w->controller = ctrl;
	w->file = file;
	w->optional = optional;
	if (b >= 0)
		snprintf(w->value, sizeof(w->value), "%lld %lld", a, b);
	else
		snprintf(w->value, sizeof(w->value), "%lld", a);
}

int ctr_cgroup_plan_writes(const struct ctr_config *cfg, enum ctr_cgroup_mode mode,
			   struct ctr_cgroup_write out[CTR_CGROUP_MAX_WRITES])
{
	int n = 0;

	if (mode == CTR_CGROUP_V2) {
		if (cfg->memory_limit) {
			add_write(out, &n, CTR_V1_MEMORY, "memory.max", false,
				  (long long)cfg->memory_limit, -1);
			/* No swap: a limit means the OOM killer, as on a swapless host. */
			add_write(out, &n, CTR_V1_MEMORY, "memory.swap.max", true, 0, -1);
		}
		if (cfg->cpu_quota > 0)
			add_write(out, &n, CTR_V1_CPU, "cpu.max", false,
				  (long long)cfg->cpu_quota, (long long)cfg->cpu_period);
		/* runc's shares (2..262144) to weight (1..10000) mapping */
		if (cfg->cpu_shares > 0)
			add_write(out, &n, CTR_V1_CPU, "cpu.weight", false,
				  1 + (long long)((cfg->cpu_shares - 2) * 9999 / 262142), -1);
		if (cfg->pids_limit > 0)
			add_write(out, &n, CTR_V1_PIDS, "pids.max", false,
				  (long long)cfg->pids_limit, -1);
		return n;
	}
	if (cfg->memory_limit) {
		add_write(out, &n, CTR_V1_MEMORY, "memory.limit_in_bytes", false,
			  (long long)cfg->memory_limit, -1);
		/* memsw must be >= limit_in_bytes, so it is written second. */
		add_write(out, &n, CTR_V1_MEMORY, "memory.memsw.limit_in_bytes", true,
			  (long long)cfg->memory_limit, -1);
	}
	if (cfg->cpu_quota > 0) {
		add_write(out, &n, CTR_V1_CPU, "cpu.cfs_period_us", false,
			  (long long)cfg->cpu_period, -1);
		add_write(out, &n, CTR_V1_CPU, "cpu.cfs_quota_us", false,
			  (long long)cfg->cpu_quota, -1);
	}
	if (cfg->cpu_shares > 0)
		add_write(out, &n, CTR_V1_CPU, "cpu.shares", false, (long long)cfg->cpu_shares, -1);
	if (cfg->pids_limit > 0)
		add_write(out, &n, CTR_V1_PIDS, "pids.max", false,
			  (long long)cfg->pids_limit, -1);
	return n;
}

int ctr_cgroup_blkio_write(const struct ctr_config *cfg, enum ctr_cgroup_mode mode, size_t i,
			   struct ctr_cgroup_write *w)
{
	static const char *const v1_files[CTR_BLKIO_THROTTLES] = {
		"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
	};
	static const char *const v2_keys[CTR_BLKIO_THROTTLES] = { "rbps", "wbps", "riops", "wiops" };
	const struct ctr_blkio_limit *l;

	memset(w, 0, sizeof(*w));
	w->controller = CTR_V1_BLKIO;
	if (i == 0) {
		if (cfg->blkio_weight == 0)
			return -EAGAIN;
		if (mode == CTR_CGROUP_V2) {
			w->file = "io.weight";
			snprintf(w->value, sizeof(w->value), "default %u",
				 1 + (cfg->blkio_weight - 10u) * 9999u / 990u);
		} else {
			w->file = "blkio.weight";
			snprintf(w->value, sizeof(w->value), "%u", cfg->blkio_weight);
		}
		return 0;
	}
	if (i > cfg->n_blkio_limits)
		return -ENOENT;
	l = &cfg->blkio_limits[i - 1];
	if (mode == CTR_CGROUP_V2) {
		w->file = "io.max";
		snprintf(w->value, sizeof(w->value), "%u:%u %s=%llu", l->major, l->minor,
			 v2_keys[l->kind], (unsigned long long)l->rate);
	} else {
		w->file = v1_files[l->kind];
		snprintf(w->value, sizeof(w->value), "%u:%u %llu", l->major, l->minor,
			 (unsigned long long)l->rate);
	}
	return 0;
}

/* A decimal number at *p (advanced past it), or -1. */
static long list_number(const char **p)
{
	long v = 0;

	if (**p < '0' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		if (v > 1 << 22)
			return -1;
		(*p)++;
	}
	return v;
}

int ctr_cgroup_cpuset_list_check(const char *text)
{
	const char *p = text;

	for (;;) {
		long first = list_number(&p);

		if (first < 0)
			return -EINVAL;
		if (*p == '-') {
			p++;
			if (list_number(&p) < first)
				return -EINVAL;
		}
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -EINVAL;
	}
}

static bool has_cpuset(const struct ctr_config *cfg)
{
	return cfg->cpuset_cpus != NULL || cfg->cpuset_mems != NULL;
}

static bool has_blkio(const struct ctr_config *cfg)
{
	return cfg->blkio_weight != 0 || cfg->n_blkio_limits != 0;
}

const char *ctr_cgroup_parent(const struct ctr_config *cfg)
{
	return cfg->cgroup_parent ? cfg->cgroup_parent : CTR_CGROUP_DEFAULT_PARENT;
}

/* Appends path's components to out ("/a/b"), dropping empty and "." ones;
 * -EINVAL at "..", -ENAMETOOLONG. */
static int append_components(char *out, size_t len, const char *path)
{
	size_t n = strlen(out);

	while (*path != '\0') {
		size_t c = strcspn(path, "/");

		if (c == 2 && path[0] == '.' && path[1] == '.')
			return -EINVAL;
		if (c > 1 || (c == 1 && path[0] != '.')) {
			if (n + 1 + c >= len)
				return -ENAMETOOLONG;
			out[n++] = '/';
			memcpy(out + n, path, c);
			n += c;
			out[n] = '\0';
		}
		path += c + (path[c] == '/');
	}
	return 0;
}

static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return true;
	return false;
}

const char *ctr_cgroup_path_problem(const char *path)
{
	char probe[PATH_MAX] = "";
	size_t colons = 0;

	for (const char *p = path; *p; p++)
		colons += *p == ':';
	if (path[0] != '/' && colons == 2)
		return "systemd's slice:prefix:name, and isolab-ctr has no systemd cgroup driver (cgroupfs only)";
	if (has_dotdot(path))
		return "no '..' allowed";
	if (strchr(path, '\n') != NULL)
		return "a newline";
	if (append_components(probe, sizeof(probe), path) == -ENAMETOOLONG)
		return "too long";
	if (probe[0] == '\0')
		return "the hierarchy's root, not a cgroup of its own";
	return NULL;
}

/* The parent of the cgroup on the unified line ("0::/a/b") of a
 * /proc/self/cgroup text into out ("/a"); the root ("") when there is none. */
static int own_parent(const char *self_cgroup, char *out, size_t len)
{
	char line[PATH_MAX];
	const char *p = self_cgroup;
	char *slash;
	size_t n;

	out[0] = '\0';
	while (p != NULL && strncmp(p, "0::", 3) != 0) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return 0;
	p += 3;
	n = strcspn(p, "\n");
	if (n >= sizeof(line))
		return -ENAMETOOLONG;
	memcpy(line, p, n);
	line[n] = '\0';
	slash = strrchr(line, '/');
	if (slash != NULL)
		*slash = '\0';
	return append_components(out, len, line) == 0 ? 0 : -ENAMETOOLONG;
}

int ctr_cgroup_resolve(const char *cgroups_path, const char *parent, const char *id,
		       const char *self_cgroup, char *out, size_t len, struct isolab_error *err)
{
	const char *why;
	int rc;

	out[0] = '\0';
	if (cgroups_path != NULL && cgroups_path[0] != '\0') {
		why = ctr_cgroup_path_problem(cgroups_path);
		if (why != NULL)
			return isolab_error_set(err, -EINVAL, "linux.cgroupsPath `%s`: %s",
						cgroups_path, why);
		rc = cgroups_path[0] == '/' ? 0 : own_parent(self_cgroup, out, len);
		if (rc == 0)
			rc = append_components(out, len, cgroups_path);
	} else {
		rc = append_components(out, len, parent != NULL ? parent : "");
		if (rc == 0)
			rc = append_components(out, len, id);
	}
	if (rc == -EINVAL)
		return isolab_error_set(err, rc, "cgroup parent `%s`: no '..' allowed", parent);
	if (rc < 0)
		return isolab_error_set(err, rc, "cgroup path for `%s`: too long", id);
	return 0;
}

int ctr_cgroup_path(char *buf, size_t len, const char *root, enum ctr_cgroup_mode mode,
		    int controller, const char *path)
{
	int n;

	if (mode == CTR_CGROUP_V2)
		n = snprintf(buf, len, "%s%s", root, path);
	else
		n = snprintf(buf, len, "%s/%s%s", root, ctr_cgroup_v1_names[controller], path);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

int ctr_cgroup_parse_key(const char *text, const char *key, uint64_t *value)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			*value = strtoull(p + klen + 1, NULL, 10);
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

/* ---- system part ---- */

static int write_file(const char *dir, const char *file, const char *value,
		      struct isolab_error *err)
{
	char path[PATH_MAX + 64];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "open `%s`", path);
	if (write(fd, value, len) != (ssize_t)len)
		return isolab_error_errno(err, -errno, "write `%s` to `%s`", value, path);
	return 0;
}

static int read_file(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return isolab_read_text(path, buf, len);
}

static int read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[64] = "";
	int rc = read_file(dir, file, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	*v = strtoull(buf, NULL, 10);
	return 0;
}

int ctr_cgroup_detect(enum ctr_cgroup_mode *mode, struct isolab_error *err)
{
	struct statfs root, unified;

	if (statfs(CTR_CGROUP_ROOT, &root) < 0)
		return isolab_error_errno(err, -errno, "statfs `%s`", CTR_CGROUP_ROOT);
	if (statfs(CTR_CGROUP_ROOT "/unified", &unified) < 0)
		unified.f_type = 0;
	return ctr_cgroup_mode_from_magic((long)root.f_type, (long)unified.f_type, mode, err);
}

int ctr_cgroup_locate(struct ctr_cgroup *cg, const struct ctr_config *cfg,
		      struct isolab_error *err)
{
	char self[4096] = "";
	int rc;

	if (cfg->cgroups_path != NULL && cfg->cgroups_path[0] != '\0' &&
	    cfg->cgroups_path[0] != '/') {
		rc = isolab_read_text("/proc/self/cgroup", self, sizeof(self));
		if (rc < 0)
			return isolab_error_errno(err, rc, "read `/proc/self/cgroup`");
	}
	return ctr_cgroup_resolve(cfg->cgroups_path, ctr_cgroup_parent(cfg), cfg->id, self,
				  cg->rel, sizeof(cg->rel), err);
}

/* mkdir -p of the parent, each level must be a cgroup directory. */
static int mkdir_parents(const char *path, struct isolab_error *err)
{
	char buf[PATH_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (slash == NULL)
		return 0;
	*slash = '\0';
	if (mkdir(buf, 0755) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return isolab_error_errno(err, -errno, "mkdir `%s`", buf);
	if (mkdir_parents(buf, err) < 0)
		return err->code;
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return isolab_error_errno(err, -errno, "mkdir `%s`", buf);
	return 0;
}

/* v2: every level from the root down to the container's parent must
 * delegate memory, cpu and pids (io, cpuset when cfg uses them) in
 * cgroup.subtree_control. */
static int v2_enable_controllers(const char *path, const struct ctr_config *cfg,
				 struct isolab_error *err)
{
	const char *want[5] = { "memory", "cpu", "pids" };
	size_t nwant = 3;
	char dir[PATH_MAX], avail[512] = "", enabled[512] = "";
	size_t rootlen = strlen(CTR_CGROUP_ROOT);
	char *p;

	if (has_blkio(cfg))
		want[nwant++] = "io";
	if (has_cpuset(cfg))
		want[nwant++] = "cpuset";
	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p)
		*p = '\0'; /* the parent */
	p = dir + rootlen;
	for (;;) {
		char saved = *p;

		*p = '\0';
		if (read_file(dir, "cgroup.subtree_control", enabled, sizeof(enabled)) == 0 &&
		    read_file(dir, "cgroup.controllers", avail, sizeof(avail)) == 0) {
			for (size_t i = 0; i < nwant; i++) {
				char add[16];

				if (strstr(enabled, want[i]) || !strstr(avail, want[i]))
					continue;
				snprintf(add, sizeof(add), "+%s", want[i]);
				if (write_file(dir, "cgroup.subtree_control", add, err) < 0)
					return isolab_error_wrap(err, "enable the %s controller",
								 want[i]);
			}
		}
		*p = saved;
		if (saved == '\0')
			break;
		p = strchr(p + 1, '/');
		if (p == NULL)
			p = dir + strlen(dir);
	}
	return 0;
}

/* v1 cpuset: every level below the hierarchy's root, down to leaf, takes
 * its parent's cpus and mems where it has none: a new cgroup starts empty,
 * and no task may join it so (cgroup-v1/cpusets.rst; runc's cpuset
 * ensureParent and copyIfNeeded). */
static int v1_cpuset_inherit(const char *leaf, struct isolab_error *err)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char dir[PATH_MAX], parent[PATH_MAX], value[4096];
	size_t start = strlen(CTR_CGROUP_ROOT "/cpuset");
	char *p;

	snprintf(dir, sizeof(dir), "%s", leaf);
	if (strlen(dir) <= start + 1)
		return 0;
	for (p = strchr(dir + start + 1, '/');; p = strchr(p + 1, '/')) {
		if (p != NULL)
			*p = '\0';
		snprintf(parent, sizeof(parent), "%s", dir);
		*strrchr(parent, '/') = '\0';
		for (size_t i = 0; i < 2; i++) {
			value[0] = '\0';
			if (read_file(dir, files[i], value, sizeof(value)) == 0 &&
			    value[strspn(value, " \n")] != '\0')
				continue;
			value[0] = '\0';
			read_file(parent, files[i], value, sizeof(value));
			value[strcspn(value, "\n")] = '\0';
			if (write_file(dir, files[i], value, err) < 0)
				return err->code;
		}
		if (p == NULL)
			return 0;
		*p = '/';
	}
}

/* linux.resources.cpu.cpus and .mems into the container's cpuset. */
static int write_cpuset(struct ctr_cgroup *cg, const struct ctr_config *cfg,
			struct isolab_error *err)
{
	int c = cg->mode == CTR_CGROUP_V2 ? 0 : CTR_V1_CPUSET;

	if (!has_cpuset(cfg))
		return 0;
	if (cg->path[c][0] == '\0')
		return isolab_error_set(err, -ENOTSUP,
					"linux.resources.cpu: cgroup v1 controller `cpuset` is not mounted under %s",
					CTR_CGROUP_ROOT);
	if (cg->mode != CTR_CGROUP_V2 && v1_cpuset_inherit(cg->path[c], err) < 0)
		return err->code;
	if (cfg->cpuset_cpus != NULL && write_file(cg->path[c], "cpuset.cpus", cfg->cpuset_cpus, err) < 0)
		return isolab_error_wrap(err, "linux.resources.cpu.cpus");
	if (cfg->cpuset_mems != NULL && write_file(cg->path[c], "cpuset.mems", cfg->cpuset_mems, err) < 0)
		return isolab_error_wrap(err, "linux.resources.cpu.mems");
	return 0;
}

int ctr_cgroup_create(struct ctr_cgroup *cg, const struct ctr_config *cfg,
		      struct isolab_error *err)
{
	struct ctr_cgroup_write writes[CTR_CGROUP_MAX_WRITES];
	int nctrl, n, rc;

	memset(cg->created, 0, sizeof(cg->created));
	cg->dirfd = -1;
	cg->sampled_peak = 0;
	cg->has_peak = false;
	nctrl = cg->mode == CTR_CGROUP_V2 ? 1 : CTR_V1_COUNT;
	for (int c = 0; c < nctrl; c++) {
		if (ctr_cgroup_path(cg->path[c], sizeof(cg->path[c]), CTR_CGROUP_ROOT, cg->mode, c,
				    cg->rel) < 0) {
			rc = isolab_error_set(err, -ENAMETOOLONG, "cgroup path for `%s`: too long",
					      cfg->id);
			goto fail;
		}
		if (cg->mode != CTR_CGROUP_V2) {
			char hier[PATH_MAX];
			struct stat st;

			/* v1: memory (peak, OOM, the process list) and devices
			 * always; cpu and pids only when limited, each costs a
			 * mkdir, an attach and an rmdir. */
			if (c == CTR_V1_FREEZER || (c == CTR_V1_CPU && cfg->cpu_quota <= 0 && cfg->cpu_shares == 0) ||
			    (c == CTR_V1_PIDS && cfg->pids_limit <= 0) ||
			    (c == CTR_V1_BLKIO && !has_blkio(cfg)) ||
			    (c == CTR_V1_CPUSET && !has_cpuset(cfg))) {
				cg->path[c][0] = '\0';
				continue;
			}

			snprintf(hier, sizeof(hier), "%s/%s", CTR_CGROUP_ROOT,
				 ctr_cgroup_v1_names[c]);
			if (stat(hier, &st) < 0) {
				cg->path[c][0] = '\0';
				continue; /* limits for it are refused below */
			}
		}
		rc = mkdir_parents(cg->path[c], err);
		if (rc < 0)
			goto fail;
		if (cg->mode == CTR_CGROUP_V2) {
			rc = v2_enable_controllers(cg->path[c], cfg, err);
			if (rc < 0)
				goto fail;
		}
		if (mkdir(cg->path[c], 0755) < 0) {
			rc = isolab_error_errno(err, -errno, "create cgroup `%s`", cg->path[c]);
			if (rc == -EEXIST)
				isolab_error_wrap(err, "container `%s` already exists", cfg->id);
			goto fail;
		}
		cg->created[c] = true;
	}
	n = ctr_cgroup_plan_writes(cfg, cg->mode, writes);
	for (int i = 0; i < n; i++) {
		int c = cg->mode == CTR_CGROUP_V2 ? 0 : writes[i].controller;

		if (cg->path[c][0] == '\0') {
			rc = isolab_error_set(err, -ENOTSUP,
					      "cgroup v1 controller `%s` is not mounted under %s",
					      ctr_cgroup_v1_names[writes[i].controller], CTR_CGROUP_ROOT);
			goto fail;
		}
		rc = write_file(cg->path[c], writes[i].file, writes[i].value, err);
		if (rc == -ENOENT && writes[i].optional)
			continue;
		if (rc < 0)
			goto fail;
	}
	for (size_t i = 0;; i++) {
		struct ctr_cgroup_write w;
		int c, b = ctr_cgroup_blkio_write(cfg, cg->mode, i, &w);

		if (b == -ENOENT)
			break;
		if (b < 0)
			continue;
		c = cg->mode == CTR_CGROUP_V2 ? 0 : CTR_V1_BLKIO;
		if (cg->path[c][0] == '\0') {
			rc = isolab_error_set(err, -ENOTSUP,
					      "linux.resources.blockIO: cgroup v1 controller `blkio` is not mounted under %s",
					      CTR_CGROUP_ROOT);
			goto fail;
		}
		rc = write_file(cg->path[c], w.file, w.value, err);
		if (rc < 0) {
			isolab_error_wrap(err, "linux.resources.blockIO");
			goto fail;
		}
	}
	rc = write_cpuset(cg, cfg, err);
	if (rc < 0)
		goto fail;
	if (cg->mode == CTR_CGROUP_V2) {
		struct stat st;
		char peak[PATH_MAX + 16];

		snprintf(peak, sizeof(peak), "%s/memory.peak", cg->path[0]);
		cg->has_peak = stat(peak, &st) == 0;
		cg->dirfd = open(cg->path[0], O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (cg->dirfd < 0) {
			rc = isolab_error_errno(err, -errno, "open cgroup `%s`", cg->path[0]);
			goto fail;
		}
	}
	return 0;
fail:
	ctr_cgroup_destroy(cg, NULL);
	return rc;
}

int ctr_cgroup_attach(struct ctr_cgroup *cg, pid_t pid, struct isolab_error *err)
{
	char value[24];
	int nctrl = cg->mode == CTR_CGROUP_V2 ? 1 : CTR_V1_COUNT;

	snprintf(value, sizeof(value), "%d", (int)pid);
	for (int c = 0; c < nctrl; c++) {
		if (!cg->created[c])
			continue;
		if (write_file(cg->path[c], "cgroup.procs", value, err) < 0)
			return err->code;
	}
	return 0;
}

void ctr_cgroup_sample(struct ctr_cgroup *cg)
{
	uint64_t cur;

	if (cg->created[0] && read_u64(cg->path[0], "memory.current", &cur) == 0 &&
	    cur > cg->sampled_peak)
		cg->sampled_peak = cur;
}

void ctr_cgroup_read_stats(struct ctr_cgroup *cg, struct ctr_cgroup_stats *st)
{
	char buf[1024] = "";
	uint64_t v = 0;

	memset(st, 0, sizeof(*st));
	if (!cg->created[0])
		return;
	if (cg->mode == CTR_CGROUP_V2) {
		if (cg->has_peak && read_u64(cg->path[0], "memory.peak", &v) == 0) {
			st->memory_peak = v;
			st->peak_source = "memory.peak";
		} else {
			ctr_cgroup_sample(cg);
			st->memory_peak = cg->sampled_peak;
			st->peak_source = "memory.current (sampled)";
		}
		if (read_file(cg->path[0], "memory.events", buf, sizeof(buf)) == 0 &&
		    ctr_cgroup_parse_key(buf, "oom_kill", &v) == 0)
			st->oom_kills = v;
	} else {
		if (read_u64(cg->path[0], "memory.max_usage_in_bytes", &v) == 0) {
			st->memory_peak = v;
			st->peak_source = "memory.max_usage_in_bytes";
		}
		if (read_file(cg->path[0], "memory.oom_control", buf, sizeof(buf)) == 0 &&
		    ctr_cgroup_parse_key(buf, "oom_kill", &v) == 0)
			st->oom_kills = v;
	}
	st->oom_killed = st->oom_kills > 0;
}

/* Kills every process still listed in cgroup.procs (v1, or v2 before 5.14). */
static void kill_procs(const char *dir)
{
	char buf[4096] = "";
	char *p;

	if (read_file(dir, "cgroup.procs", buf, sizeof(buf)) < 0)
		return;
	for (p = buf; *p;) {
		long pid = strtol(p, &p, 10);

		if (pid > 0)
			kill((pid_t)pid, SIGKILL);
		while (*p == '\n')
			p++;
		if (pid <= 0)
			break;
	}
}

int ctr_cgroup_destroy(struct ctr_cgroup *cg, struct isolab_error *err)
{
	int rc = 0;

	if (cg->dirfd >= 0) {
		close(cg->dirfd);
		cg->dirfd = -1;
	}
	for (int c = 0; c < CTR_V1_COUNT; c++) {
		if (!cg->created[c])
			continue;
		/* The pid namespace's init is reaped only after every process in
		 * it is gone, so this normally succeeds at once; processes left
		 * by a container without a pid namespace are killed. */
		for (int tries = 0; rmdir(cg->path[c]) < 0; tries++) {
			struct timespec ts = { 0, 1000000 };

			if (errno != EBUSY || tries >= 2000) {
				rc = isolab_error_errno(err, -errno, "remove cgroup `%s`", cg->path[c]);
				break;
			}
			if (cg->mode == CTR_CGROUP_V2 && tries == 0)
				write_file(cg->path[c], "cgroup.kill", "1", NULL);
			kill_procs(cg->path[c]);
			nanosleep(&ts, NULL);
		}
		cg->created[c] = false;
	}
	return rc;
}

int ctr_cgroup_remove_stale(enum ctr_cgroup_mode mode, const char *rel,
			    struct isolab_error *err)
{
	int nctrl = mode == CTR_CGROUP_V2 ? 1 : CTR_V1_COUNT, rc = 0;
	char path[PATH_MAX];

	for (int c = 0; c < nctrl; c++) {
		if (ctr_cgroup_path(path, sizeof(path), CTR_CGROUP_ROOT, mode, c, rel) < 0)
			return isolab_error_set(err, -ENAMETOOLONG, "cgroup path `%s`: too long", rel);
		/* v1: cpu and pids exist only when they were limited. */
		if (rmdir(path) == 0 || errno == ENOENT)
			continue;
		if (rc == 0)
			rc = isolab_error_errno(err, -errno, "remove cgroup `%s`", path);
	}
	return rc;
}

int ctr_cgroup_reopen(struct ctr_cgroup *cg, enum ctr_cgroup_mode mode, const char *rel,
		      const char *id, struct isolab_error *err)
{
	int nctrl = mode == CTR_CGROUP_V2 ? 1 : CTR_V1_COUNT;
	bool any = false;

	memset(cg, 0, sizeof(*cg));
	cg->mode = mode;
	cg->dirfd = -1;
	if (snprintf(cg->rel, sizeof(cg->rel), "%s", rel) >= (int)sizeof(cg->rel))
		return isolab_error_set(err, -ENAMETOOLONG, "cgroup path for `%s`: too long", id);
	for (int c = 0; c < nctrl; c++) {
		struct stat st;

		if (ctr_cgroup_path(cg->path[c], sizeof(cg->path[c]), CTR_CGROUP_ROOT, mode, c,
				    rel) < 0)
			return isolab_error_set(err, -ENAMETOOLONG, "cgroup path for `%s`: too long",
						id);
		cg->created[c] = stat(cg->path[c], &st) == 0 && S_ISDIR(st.st_mode);
		any |= cg->created[c];
	}
	if (!any)
		return isolab_error_set(err, -ENOENT, "container `%s`: no cgroup", id);
	return 0;
}

int ctr_cgroup_pids(const struct ctr_cgroup *cg, int *pids, int max, struct isolab_error *err)
{
	char buf[16384] = "";
	int n = 0, rc;
	char *p;

	rc = read_file(cg->path[0], "cgroup.procs", buf, sizeof(buf));
	if (rc < 0)
		return isolab_error_errno(err, rc, "read `%s/cgroup.procs`", cg->path[0]);
	for (p = buf; *p != '\0' && n < max;) {
		long pid = strtol(p, &p, 10);

		if (pid <= 0)
			break;
		pids[n++] = (int)pid;
		while (*p == '\n')
			p++;
	}
	return n;
}

/* v1: the freezer cgroup, made (and the processes moved in) on the first
 * pause. */
static int v1_freezer_join(struct ctr_cgroup *cg, struct isolab_error *err)
{
	int pids[4096] = { 0 }, n;
	char value[24];

	if (cg->created[CTR_V1_FREEZER])
		return 0;
	if (cg->path[CTR_V1_FREEZER][0] == '\0')
		return isolab_error_set(err, -ENOTSUP, "cgroup v1 controller `freezer` is not mounted");
	if (mkdir_parents(cg->path[CTR_V1_FREEZER], err) < 0)
		return err->code;
	if (mkdir(cg->path[CTR_V1_FREEZER], 0755) < 0 && errno != EEXIST)
		return isolab_error_errno(err, -errno, "create cgroup `%s`",
					  cg->path[CTR_V1_FREEZER]);
	cg->created[CTR_V1_FREEZER] = true;
	n = ctr_cgroup_pids(cg, pids, 4096, err);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		snprintf(value, sizeof(value), "%d", pids[i]);
		if (write_file(cg->path[CTR_V1_FREEZER], "cgroup.procs", value, err) < 0 &&
		    err->code != -ESRCH)
			return err->code;
	}
	return 0;
}

bool ctr_cgroup_frozen(const struct ctr_cgroup *cg)
{
	char buf[64] = "";

	if (cg->mode == CTR_CGROUP_V2)
		return read_file(cg->path[0], "cgroup.freeze", buf, sizeof(buf)) == 0 &&
		       buf[0] == '1';
	return cg->created[CTR_V1_FREEZER] &&
	       read_file(cg->path[CTR_V1_FREEZER], "freezer.state", buf, sizeof(buf)) == 0 &&
	       strncmp(buf, "THAWED", 6) != 0;
}

int ctr_cgroup_freeze(struct ctr_cgroup *cg, bool freeze, struct isolab_error *err)
{
	const char *dir, *file, *value, *want;
	char buf[256];

	if (cg->mode == CTR_CGROUP_V2) {
		dir = cg->path[0], file = "cgroup.freeze", value = freeze ? "1" : "0";
		want = freeze ? "frozen 1" : "frozen 0";
	} else {
		if (!freeze && !cg->created[CTR_V1_FREEZER])
			return 0; /* never paused */
		if (freeze && v1_freezer_join(cg, err) < 0)
			return err->code;
		dir = cg->path[CTR_V1_FREEZER], file = "freezer.state";
		value = want = freeze ? "FROZEN" : "THAWED";
	}
	if (write_file(dir, file, value, err) < 0)
		return err->code;
	/* The kernel freezes asynchronously: wait (up to 5 s) until it says so. */
	for (int tries = 0; tries < 5000; tries++) {
		struct timespec ts = { 0, 1000000 };

		buf[0] = '\0';
		if (read_file(dir, cg->mode == CTR_CGROUP_V2 ? "cgroup.events" : file, buf,
			      sizeof(buf)) < 0)
			break;
		if (strstr(buf, want) != NULL)
			return 0;
		if (cg->mode != CTR_CGROUP_V2 && freeze && strncmp(buf, "FREEZING", 8) == 0)
			write_file(dir, file, value, NULL); /* v1: ask again */
		nanosleep(&ts, NULL);
	}
	return isolab_error_set(err, -ETIMEDOUT, "%s `%s`: the kernel did not confirm it",
				freeze ? "freeze" : "thaw", dir);
}
