/* devices_cgroup.c: the device rules put in force: cgroup v1 files or a
 * cgroup v2 device program; the nodes linux.devices asks for (see
 * devices.h). */
#include "container/devices.h"
#include "common/cleanup.h"
#include "common/mkdir.h"
#include "container/cgroup.h"
#include "container/config.h"
#include "container/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int apply_v1(const char *dir, const struct ctr_dev_rule *rules, size_t n,
		    struct isolab_error *err)
{
	_cleanup_free_ struct ctr_dev_v1_write *w = NULL;
	size_t n_w = 0;
	int rc;

	if (dir[0] == '\0')
		return isolab_error_set(err, -ENOTSUP,
					"cgroup v1 controller `devices` is not mounted under %s",
					CTR_CGROUP_ROOT);
	rc = ctr_dev_plan_v1(rules, n, &w, &n_w, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n_w; i++) {
		char path[PATH_MAX + 32];
		_cleanup_close_ int fd = -1;
		size_t len = strlen(w[i].line);

		snprintf(path, sizeof(path), "%s/%s", dir, w[i].file);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return isolab_error_errno(err, -errno, "open `%s`", path);
		if (write(fd, w[i].line, len) != (ssize_t)len)
			return isolab_error_errno(err, -errno, "write `%s` to `%s`", w[i].line, path);
	}
	return 0;
}

static int apply_v2(int cgroup_fd, const char *dir, const struct ctr_dev_rule *rules, size_t n,
		    struct isolab_error *err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	_cleanup_close_ int prog = -1;
	static char log[4096];
	union bpf_attr attr;
	size_t n_insns = 0;

	if (ctr_dev_bpf_program(rules, n, &insns, &n_insns) < 0)
		return isolab_error_set(err, -ENOMEM, "device program: out of memory");
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n_insns;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (prog < 0 && errno == EACCES) { /* the verifier said no: ask why */
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = sizeof(log);
		attr.log_level = 1;
		prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
		if (prog < 0)
			return isolab_error_errno(err, -EACCES, "load the device program: %.200s",
						  log);
	}
	if (prog < 0)
		return isolab_error_errno(err, -errno, "load the device program (bpf)");
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		return isolab_error_errno(err, -errno, "attach the device program to `%s`", dir);
	return 0;
}

int ctr_devices_apply(const struct ctr_cgroup *cg, const struct ctr_config *cfg,
		      struct isolab_error *err)
{
	_cleanup_free_ struct ctr_dev_rule *rules = NULL;
	size_t n = 0;

	if (ctr_dev_effective_rules(cfg->dev_rules, cfg->n_dev_rules, cfg->dev_nodes,
				    cfg->n_dev_nodes, &rules, &n) < 0)
		return isolab_error_set(err, -ENOMEM, "device rules: out of memory");
	if (ctr_dev_allows_all(rules, n))
		return 0; /* as the parent cgroup: nothing to enforce, nothing to load */
	if (cg->mode == CTR_CGROUP_V2)
		return apply_v2(cg->dirfd, cg->path[0], rules, n, err);
	return apply_v1(cg->path[CTR_V1_DEVICES], rules, n, err);
}

int ctr_devices_make_nodes(const struct ctr_config *cfg, struct isolab_error *err)
{
	for (size_t i = 0; i < cfg->n_dev_nodes; i++) {
		const struct ctr_dev_node *d = &cfg->dev_nodes[i];
		mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
		char parent[PATH_MAX];
		char *slash;

		snprintf(parent, sizeof(parent), "%s", d->path);
		slash = strrchr(parent, '/');
		if (slash != NULL && slash != parent) {
			*slash = '\0';
			int rc = isolab_mkdir_p(parent, 0755);

			if (rc < 0)
				return isolab_error_errno(err, rc, "linux.devices: mkdir `%s`", parent);
		}
		if (unlink(d->path) < 0 && errno != ENOENT)
			return isolab_error_errno(err, -errno, "linux.devices: replace `%s`", d->path);
		if (mknod(d->path, type | (d->mode & 07777), makedev(d->major, d->minor)) < 0)
			return isolab_error_errno(err, -errno, "linux.devices: mknod `%s`", d->path);
		if (chmod(d->path, d->mode & 07777) < 0 || chown(d->path, d->uid, d->gid) < 0)
			return isolab_error_errno(err, -errno, "linux.devices: chmod/chown `%s`",
						  d->path);
	}
	return 0;
}
