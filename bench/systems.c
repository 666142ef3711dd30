/* systems.c: the compared systems and their command lines (see systems.h). */
#include "bench/systems.h"
#include "bench/env.h"
#include "bench/netclient.h"
#include "bench/oci_config.h"
#include "bench/spawn.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/rmtree.h"
#include "common/timing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Kernel command line for both VMMs; the probe's command goes in isolab_run. */
#define BENCH_GUEST_CMDLINE "console=ttyS0 quiet panic=-1"

const char *bench_kind_name(enum bench_kind kind)
{
	switch (kind) {
	case BENCH_KIND_PROCESS: return "process";
	case BENCH_KIND_CONTAINER: return "container";
	case BENCH_KIND_VM: return "vm";
	}
	return "?";
}

/* Copies s into cmd's store and appends it to argv. */
static int add(struct bench_cmd *cmd, const char *s)
{
	size_t n = strlen(s) + 1;

	if (cmd->argc + 1 >= BENCH_CMD_MAX_ARGS || cmd->used + n > sizeof(cmd->store))
		return -E2BIG;
	memcpy(cmd->store + cmd->used, s, n);
	cmd->argv[cmd->argc++] = cmd->store + cmd->used;
	cmd->argv[cmd->argc] = NULL;
	cmd->used += n;
	return 0;
}

static int add_all(struct bench_cmd *cmd, const char *const *list)
{
	int rc = 0;

	for (; rc == 0 && *list != NULL; list++)
		rc = add(cmd, *list);
	return rc;
}

static int add_probe(struct bench_cmd *cmd, const char *probe, const char *const *args)
{
	int rc = add(cmd, probe);

	return rc ? rc : add_all(cmd, args);
}

static int too_long(struct isolab_error *err)
{
	return isolab_error_set(err, -E2BIG, "command line too long");
}

static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
		if (access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static int need_file(const char *path, const char *what, char *note, size_t size)
{
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(note, size, "%s `%s` not found (build it first)", what, path);
	return -ENOENT;
}

static int need_tool(const char *name, char *note, size_t size)
{
	if (on_path(name))
		return 0;
	snprintf(note, size, "`%s` is not installed here", name);
	return -ENOENT;
}

/* ---- native process ---- */

static int check_native(const struct bench_ctx *ctx, char *note, size_t size)
{
	return need_file(ctx->probe, "probe", note, size);
}

static int cmd_native(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
		      struct isolab_error *err)
{
	return add_probe(cmd, ctx->probe, args) ? too_long(err) : 0;
}

/* ---- containers ---- */

static int check_rootfs(const struct bench_ctx *ctx, char *note, size_t size)
{
	char probe[PATH_MAX + 16];

	snprintf(probe, sizeof(probe), "%s/bin/probe", ctx->rootfs);
	return need_file(probe, "image rootfs probe", note, size);
}

static int check_ctr(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_file(ctx->ctr, "isolab-ctr", note, size);

	return rc ? rc : check_rootfs(ctx, note, size);
}

/* isolab-ctr run with these options (NULL-terminated) before the command. */
static int cmd_ctr_with(struct bench_ctx *ctx, const char *const *options,
			const char *const *args, struct bench_cmd *cmd, struct isolab_error *err)
{
	snprintf(cmd->stats_path, sizeof(cmd->stats_path), "%s/ctr-%u.json", ctx->tmp,
		 ++ctx->sequence);
	if (add(cmd, ctx->ctr) || add(cmd, "run") || add(cmd, "--rootfs") ||
	    add(cmd, ctx->rootfs) || add(cmd, "--stats") || add(cmd, cmd->stats_path) ||
	    add_all(cmd, options) || add(cmd, "--") || add_probe(cmd, "/bin/probe", args))
		return too_long(err);
	return 0;
}

static int cmd_ctr(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
		   struct isolab_error *err)
{
	static const char *const none[] = { NULL };

	return cmd_ctr_with(ctx, none, args, cmd, err);
}

/* Without the default seccomp filter: the start-up suite's measure of
 * what the filter costs (the ratio isolab-ctr/isolab-ctr-unconfined). */
static int cmd_ctr_unconfined(struct bench_ctx *ctx, const char *const *args,
			      struct bench_cmd *cmd, struct isolab_error *err)
{
	static const char *const unconfined[] = { "--security-opt", "seccomp=unconfined", NULL };

	return cmd_ctr_with(ctx, unconfined, args, cmd, err);
}

/* Without the device policy (Docker's --device-cgroup-rule 'a *:* rwm'):
 * no v2 device program, no v1 device rules; the ratio is their cost. */
static int cmd_ctr_alldevices(struct bench_ctx *ctx, const char *const *args,
			      struct bench_cmd *cmd, struct isolab_error *err)
{
	static const char *const all[] = { "--device-cgroup-rule", "a *:* rwm", NULL };

	return cmd_ctr_with(ctx, all, args, cmd, err);
}

/* Without the default bounds (pids 2048, a 1 GiB writable layer). */
static int cmd_ctr_unbounded(struct bench_ctx *ctx, const char *const *args,
			     struct bench_cmd *cmd, struct isolab_error *err)
{
	static const char *const unbounded[] = { "--pids", "0", "--layer-size", "0", NULL };

	return cmd_ctr_with(ctx, unbounded, args, cmd, err);
}

/*
 * isolab-image: the same probe through the engine, `isolab run --rm IMAGE`,
 * with the image rootfs imported into a store of the run's own (once, on
 * first use): what the store costs over isolab-ctr --rootfs of the same
 * tree (lookups of the image and its layers, no copies).
 */
static int check_image(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_file(ctx->engine, "isolab", note, size);

	return rc ? rc : check_ctr(ctx, note, size);
}

/* Runs argv to its end (at most timeout_s); 0 if it exited 0. */
static int run_to_end(char *const argv[], unsigned timeout_s, const char *what,
		      struct isolab_error *err)
{
	struct bench_child c;
	char tail[512];
	int rc = bench_child_spawn(&c, argv, false, err);

	if (rc < 0)
		return rc;
	rc = bench_child_finish(&c, isolab_now_ns() + (uint64_t)timeout_s * 1000000000ull);
	if (rc == 0 && bench_child_exit_code(&c) != 0) {
		bench_child_tail(&c, tail, sizeof(tail));
		rc = isolab_error_set(err, -EIO, "%s: exit %d: %s", what, bench_child_exit_code(&c),
				      tail);
	} else if (rc < 0) {
		rc = isolab_error_errno(err, rc, "%s", what);
	}
	bench_child_release(&c);
	return rc;
}

/* The image rootfs as image `name` in the engine's store `store` (tar, then isolab import). */
static int import_rootfs(struct bench_ctx *ctx, const char *store, const char *name,
			 const char *what, struct isolab_error *err)
{
	char tar[1100], step[128];
	int rc;

	snprintf(tar, sizeof(tar), "%s/rootfs-%u.tar", ctx->tmp, ++ctx->sequence);
	{
		char *const pack[] = { "tar", "-C", ctx->rootfs, "-cf", tar, ".", NULL };
		char *const import[] = { ctx->engine, "--root", (char *)store, "import", tar,
					 (char *)name, NULL };

		snprintf(step, sizeof(step), "%s: tar the image", what);
		rc = run_to_end(pack, 120, step, err);
		snprintf(step, sizeof(step), "%s: isolab import", what);
		if (rc == 0)
			rc = run_to_end(import, 120, step, err);
	}
	unlink(tar);
	return rc;
}

static int prepare_image(struct bench_ctx *ctx, struct isolab_error *err)
{
	char store[1100];
	int rc;

	snprintf(store, sizeof(store), "%s/store", ctx->tmp);
	rc = import_rootfs(ctx, store, "bench:1", "isolab-image", err);
	ctx->image_ready = rc == 0;
	return rc;
}

static int cmd_image(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
		     struct isolab_error *err)
{
	char store[1100];

	if (!ctx->image_ready && prepare_image(ctx, err) < 0)
		return err->code;
	snprintf(store, sizeof(store), "%s/store", ctx->tmp);
	/* --network none: like isolab-ctr's default, a namespace with lo only;
	 * the engine's default network (CNI) would measure iptables */
	if (add(cmd, ctx->engine) || add(cmd, "--root") || add(cmd, store) || add(cmd, "run") ||
	    add(cmd, "--rm") || add(cmd, "--network") || add(cmd, "none") || add(cmd, "bench:1") ||
	    add_probe(cmd, "/bin/probe", args))
		return too_long(err);
	return 0;
}

static int check_bwrap(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_tool("bwrap", note, size);

	return rc ? rc : check_rootfs(ctx, note, size);
}

static int cmd_bwrap(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
		     struct isolab_error *err)
{
	static const char *const pre[] = { "bwrap", "--unshare-all", "--die-with-parent",
					   "--ro-bind", NULL };
	static const char *const post[] = { "/", "--proc", "/proc", "--dev", "/dev",
					    "--tmpfs", "/tmp", NULL };

	if (add_all(cmd, pre) || add(cmd, ctx->rootfs) || add_all(cmd, post) ||
	    add_probe(cmd, "/bin/probe", args))
		return too_long(err);
	return 0;
}

static int check_unshare(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_tool("unshare", note, size);

	return rc ? rc : check_rootfs(ctx, note, size);
}

static int cmd_unshare(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
		       struct isolab_error *err)
{
	char root[PATH_MAX + 16];

	snprintf(root, sizeof(root), "--root=%s", ctx->rootfs);
	if (add(cmd, "unshare") || add(cmd, "-fpmuin") || add(cmd, "--mount-proc") ||
	    add(cmd, root) || add_probe(cmd, "/bin/probe", args))
		return too_long(err);
	return 0;
}

/*
 * An OCI bundle: `RUNTIME spec` output (the runtime's own defaults), then
 * process.args = argv, terminal false, root = the image rootfs, read-only
 * (bench_oci_config_apply).
 */
static int make_bundle(struct bench_ctx *ctx, const char *runtime, const char *const *argv,
		       char *bundle, size_t size, struct isolab_error *err)
{
	char cmdline[PATH_MAX * 2 + 64], config[PATH_MAX + 16], line[256];
	cJSON *doc = NULL;
	int rc;

	snprintf(bundle, size, "%s/bundle-%u", ctx->tmp, ++ctx->sequence);
	if (mkdir(bundle, 0755) < 0)
		return isolab_error_errno(err, -errno, "create `%s`", bundle);
	snprintf(cmdline, sizeof(cmdline), "%s spec --bundle '%s' && echo ok", runtime, bundle);
	bench_command_line(cmdline, line, sizeof(line));
	snprintf(config, sizeof(config), "%s/config.json", bundle);
	if (strcmp(line, "ok") != 0)
		return isolab_error_set(err, -EIO, "`%s spec` failed: %s", runtime, line);
	rc = isolab_json_read(config, &doc, err);
	if (rc < 0)
		return rc;
	rc = bench_oci_config_apply(doc, ctx->rootfs, argv, err);
	if (rc < 0)
		rc = isolab_error_wrap(err, "`%s spec`", runtime);
	else
		rc = isolab_json_write_atomic(config, doc, err);
	cJSON_Delete(doc);
	return rc;
}

int bench_oci_bundle(struct bench_ctx *ctx, const char *runtime, const char *const *argv,
		     char *bundle, size_t size, struct isolab_error *err)
{
	char key[256];
	size_t len = (size_t)snprintf(key, sizeof(key), "%s", runtime);
	const char *const *a;
	int i, rc;

	for (a = argv; *a != NULL && len < sizeof(key); a++)
		len += (size_t)snprintf(key + len, sizeof(key) - len, " %s", *a);
	for (i = 0; i < ctx->bundles; i++)
		if (strcmp(ctx->bundle_key[i], key) == 0) {
			snprintf(bundle, size, "%s", ctx->bundle_dir[i]);
			return 0;
		}
	rc = make_bundle(ctx, runtime, argv, bundle, size, err);
	if (rc == 0 && ctx->bundles < BENCH_MAX_BUNDLES) {
		snprintf(ctx->bundle_key[ctx->bundles], sizeof(ctx->bundle_key[0]), "%s", key);
		snprintf(ctx->bundle_dir[ctx->bundles], sizeof(ctx->bundle_dir[0]), "%s", bundle);
		ctx->bundles++;
	}
	return rc;
}

static int cmd_oci(struct bench_ctx *ctx, const char *runtime, const char *const *args,
		   struct bench_cmd *cmd, struct isolab_error *err)
{
	const char *argv[BENCH_CMD_MAX_ARGS] = { "/bin/probe" };
	char bundle[1100];
	size_t n = 1;
	int rc;

	for (; *args != NULL && n + 1 < BENCH_CMD_MAX_ARGS; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	rc = bench_oci_bundle(ctx, runtime, argv, bundle, sizeof(bundle), err);
	if (rc < 0)
		return rc;
	++ctx->sequence;
	snprintf(cmd->id, sizeof(cmd->id), "isolab-bench-%d-%u", (int)getpid(), ctx->sequence);
	snprintf(cmd->runtime_root, sizeof(cmd->runtime_root), "%s/%s-state", ctx->tmp, runtime);
	if (add(cmd, runtime) || add(cmd, "--root") || add(cmd, cmd->runtime_root) ||
	    add(cmd, "run") || add(cmd, "--bundle") || add(cmd, bundle) || add(cmd, cmd->id))
		return too_long(err);
	return 0;
}

static int check_runc(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_tool("runc", note, size);

	return rc ? rc : check_rootfs(ctx, note, size);
}

static int check_crun(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_tool("crun", note, size);

	return rc ? rc : check_rootfs(ctx, note, size);
}

static int cmd_runc(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
		    struct isolab_error *err)
{
	return cmd_oci(ctx, "runc", args, cmd, err);
}

static int cmd_crun(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
		    struct isolab_error *err)
{
	return cmd_oci(ctx, "crun", args, cmd, err);
}

static void cleanup_oci(struct bench_ctx *ctx, struct bench_cmd *cmd)
{
	char *argv[] = { cmd->argv[0], "--root", cmd->runtime_root, "delete", "--force",
			 cmd->id, NULL };
	struct bench_child c;

	if (cmd->id[0] == '\0' || cmd->argc == 0)
		return;
	if (bench_child_spawn(&c, argv, false, NULL) == 0)
		bench_child_finish(&c, isolab_now_ns() + 10000000000ull);
	bench_child_release(&c);
}

/* The binary of a system that is an OCI runtime (the lifecycle suite's). */
static const char *oci_ctr(const struct bench_ctx *ctx)
{
	return ctx->ctr;
}

static const char *oci_runc(const struct bench_ctx *ctx)
{
	(void)ctx;
	return "runc";
}

static const char *oci_crun(const struct bench_ctx *ctx)
{
	(void)ctx;
	return "crun";
}

int bench_oci_command(const struct bench_ctx *ctx, const struct bench_system *sys,
		      const char *root, const char *verb, const char *const *options,
		      const char *id, struct bench_cmd *cmd, struct isolab_error *err)
{
	memset(cmd, 0, sizeof(*cmd));
	if (sys->oci_runtime == NULL)
		return isolab_error_set(err, -EINVAL, "%s: not an OCI runtime", sys->name);
	if (add(cmd, sys->oci_runtime(ctx)) || add(cmd, "--root") || add(cmd, root) ||
	    add(cmd, verb) || add_all(cmd, options) || add(cmd, id))
		return too_long(err);
	snprintf(cmd->id, sizeof(cmd->id), "%s", id);
	snprintf(cmd->runtime_root, sizeof(cmd->runtime_root), "%s", root);
	return 0;
}

/* ---- virtual machines ---- */

static int check_vm_common(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc;

	if (!ctx->kvm) {
		snprintf(note, size, "no usable /dev/kvm here (run in the lab: make bench)");
		return -ENODEV;
	}
	rc = need_file(ctx->kernel, "guest kernel", note, size);
	return rc ? rc : need_file(ctx->initrd, "guest initramfs", note, size);
}

static int check_vmm(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_file(ctx->vmm, "isolab-vmm", note, size);

	return rc ? rc : check_vm_common(ctx, note, size);
}

static int check_qemu(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_tool("qemu-system-x86_64", note, size);

	return rc ? rc : check_vm_common(ctx, note, size);
}

/* "console=ttyS0 quiet panic=-1 isolab_run=\"PREFIX/bin/probe ARGS --vm\"" */
static int guest_cmdline_with(const char *prefix, const char *const *args, const char *extra,
			      char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "%s %s isolab_run=\"%s/bin/probe",
				      BENCH_GUEST_CMDLINE, extra, prefix);

	for (; *args != NULL && len < size; args++)
		len += (size_t)snprintf(buf + len, size - len, " %s", *args);
	if (len < size)
		len += (size_t)snprintf(buf + len, size - len, " --vm\"");
	return len < size ? 0 : -E2BIG;
}

static int guest_cmdline(const char *const *args, const char *extra, char *buf, size_t size)
{
	return guest_cmdline_with("", args, extra, buf, size);
}

/*
 * The kernel this machine runs, where a distribution keeps it (the lab's
 * L1 binds its own there, lab/README.md): the VM on it compares with
 * native on one kernel, its configuration and mitigations included.
 */
static int check_vmm_hostkernel(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = check_vmm(ctx, note, size);

	if (rc == 0 && access(ctx->host_kernel, R_OK) != 0) {
		snprintf(note, size, "%s: %s (the kernel this machine runs is not where a distribution keeps it)",
			 ctx->host_kernel, strerror(errno));
		return -ENOENT;
	}
	return rc;
}

/*
 * QEMU's software emulation needs no /dev/kvm: only the guest's files. In
 * the lab, whose machine is itself emulated, it is emulation inside
 * emulation, minutes per boot: measured there only when --systems names it.
 */
static int check_qemu_tcg(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_tool("qemu-system-x86_64", note, size);

	if (rc == 0 && bench_in_lab() && ctx->args->systems == NULL) {
		snprintf(note, size, "software emulation inside the lab's emulated machine takes minutes "
				     "per boot: measured natively, or here with --systems qemu-tcg");
		return -ENODEV;
	}

	rc = rc ? rc : need_file(ctx->kernel, "guest kernel", note, size);
	return rc ? rc : need_file(ctx->initrd, "guest initramfs", note, size);
}

/* A distribution kernel (its drivers and initramfs code) needs more room
 * than isolab's tinyconfig one: at least this much guest RAM. */
#define BENCH_HOSTKERNEL_MIN_MEM (256ull << 20)

/* run_prefix: shell words before the probe in isolab_run ("" for none);
 * options: more isolab-vmm options (NULL-terminated). */
static int vmm_command(struct bench_ctx *ctx, const char *kernel, uint64_t mem_bytes,
		       const char *run_prefix, const char *const *options,
		       const char *const *args, struct bench_cmd *cmd, struct isolab_error *err)
{
	char cmdline[2048], mem[32], timeout[32];

	if (guest_cmdline_with(run_prefix, args, "reboot=k", cmdline, sizeof(cmdline)) < 0)
		return too_long(err);
	snprintf(cmd->stats_path, sizeof(cmd->stats_path), "%s/vmm-%u.json", ctx->tmp,
		 ++ctx->sequence);
	snprintf(mem, sizeof(mem), "%lluM", (unsigned long long)(mem_bytes >> 20));
	/*
	 * A held instance (memory suite) lives while the others of its density
	 * point boot, which in the lab can take minutes: no early VMM timeout.
	 */
	snprintf(timeout, sizeof(timeout), "%u",
		 strcmp(args[0], "hold") == 0 ? 3600u : ctx->args->timeout_s);
	if (add(cmd, ctx->vmm) || add(cmd, "--kernel") || add(cmd, kernel) ||
	    add(cmd, "--initrd") || add(cmd, ctx->initrd) || add(cmd, "--memory") || add(cmd, mem) ||
	    add(cmd, "--cpus") || add(cmd, "1") || add(cmd, "--timeout") || add(cmd, timeout) ||
	    add(cmd, "--stats") || add(cmd, cmd->stats_path) || add_all(cmd, options) ||
	    add(cmd, "--cmdline") || add(cmd, cmdline))
		return too_long(err);
	return 0;
}

static const char *const no_options[] = { NULL };

static int cmd_vmm(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
		   struct isolab_error *err)
{
	return vmm_command(ctx, ctx->kernel, ctx->args->vm_mem, "", no_options, args, cmd, err);
}

static int cmd_vmm_hostkernel(struct bench_ctx *ctx, const char *const *args,
			      struct bench_cmd *cmd, struct isolab_error *err)
{
	uint64_t mem = ctx->args->vm_mem;

	return vmm_command(ctx, ctx->host_kernel,
			   mem < BENCH_HOSTKERNEL_MIN_MEM ? BENCH_HOSTKERNEL_MIN_MEM : mem, "",
			   no_options, args, cmd, err);
}

/* QEMU microvm with accel (kvm: type 1, hardware-assisted; tcg: software
 * emulation, QEMU as a type 2 hypervisor), the same guest either way. */
static int qemu_command(struct bench_ctx *ctx, const char *const *accel, const char *const *args,
			struct bench_cmd *cmd, struct isolab_error *err)
{
	static const char *const pre[] = {
		"qemu-system-x86_64", "-M", "microvm", NULL };
	static const char *const post[] = {
		"-smp", "1", "-nodefaults", "-no-user-config", "-display", "none",
		"-no-reboot", "-serial", "stdio",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=4", NULL };
	char cmdline[2048], mem[32];

	if (guest_cmdline(args, "reboot=t", cmdline, sizeof(cmdline)) < 0)
		return too_long(err);
	snprintf(mem, sizeof(mem), "%lluM", (unsigned long long)(ctx->args->vm_mem >> 20));
	if (add_all(cmd, pre) || add_all(cmd, accel) || add_all(cmd, post) || add(cmd, "-m") ||
	    add(cmd, mem) || add(cmd, "-kernel") || add(cmd, ctx->kernel) || add(cmd, "-initrd") ||
	    add(cmd, ctx->initrd) || add(cmd, "-append") || add(cmd, cmdline))
		return too_long(err);
	return 0;
}

static int cmd_qemu(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
		    struct isolab_error *err)
{
	static const char *const accel[] = { "-accel", "kvm", "-cpu", "host", NULL };

	return qemu_command(ctx, accel, args, cmd, err);
}

static int cmd_qemu_tcg(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
			struct isolab_error *err)
{
	static const char *const accel[] = { "-accel", "tcg", "-cpu", "max", NULL };

	return qemu_command(ctx, accel, args, cmd, err);
}

/* ---- the network suite's systems ---- */

/* The value after "--port" in the probe's arguments, or NULL. */
static const char *probe_port_arg(const char *const *args)
{
	for (; *args != NULL; args++)
		if (strcmp(*args, "--port") == 0 && args[1] != NULL)
			return args[1];
	return NULL;
}

/* Root (the engine runs CNI plugins), the plugins, iptables: what a CNI network needs. */
static int check_cni(char *note, size_t size)
{
	static const char *const plugins[] = { "bridge", "host-local", "portmap", "firewall",
					       "loopback" };
	char path[64];
	size_t i;

	if (geteuid() != 0) {
		snprintf(note, size, "a CNI network needs root");
		return -EPERM;
	}
	for (i = 0; i < sizeof(plugins) / sizeof(plugins[0]); i++) {
		snprintf(path, sizeof(path), "/usr/lib/cni/%s", plugins[i]);
		if (access(path, X_OK) != 0) {
			snprintf(note, size, "no %s (apt-get install containernetworking-plugins)", path);
			return -ENOENT;
		}
	}
	return need_tool("iptables-save", note, size);
}

static int check_image_net(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = check_image(ctx, note, size);

	if (rc == 0)
		rc = need_file(ctx->engine_full, "isolab-full", note, size);
	return rc ? rc : check_cni(note, size);
}

/* BENCH_NET_NAME in the run's store, once. */
static int prepare_net(struct bench_ctx *ctx, struct isolab_error *err)
{
	char store[1100];
	int rc;

	if (ctx->net_ready)
		return 0;
	if (!ctx->image_ready && (rc = prepare_image(ctx, err)) < 0)
		return rc;
	snprintf(store, sizeof(store), "%s/store", ctx->tmp);
	{
		char *const create[] = { ctx->engine, "--root", store, "network", "create",
					 BENCH_NET_NAME, NULL };

		rc = run_to_end(create, 60, "isolab network create " BENCH_NET_NAME, err);
	}
	ctx->net_ready = rc == 0;
	return rc;
}

/* `isolab run --rm --network BENCH_NET_NAME --name N [-p 127.0.0.1:HP:P] bench:1 probe ARGS`. */
static int image_net_command(struct bench_ctx *ctx, bool publish, const char *const *args,
			     struct bench_cmd *cmd, struct isolab_error *err)
{
	const char *port = probe_port_arg(args);
	char store[1100], map[64];
	int rc = prepare_net(ctx, err);

	if (rc < 0)
		return rc;
	snprintf(store, sizeof(store), "%s/store", ctx->tmp);
	snprintf(cmd->net_container, sizeof(cmd->net_container), "isolab-bench-%d-%u", (int)getpid(),
		 ++ctx->sequence);
	if (add(cmd, ctx->engine) || add(cmd, "--root") || add(cmd, store) || add(cmd, "run") ||
	    add(cmd, "--rm") || add(cmd, "--network") || add(cmd, BENCH_NET_NAME) ||
	    add(cmd, "--name") || add(cmd, cmd->net_container))
		return too_long(err);
	if (publish && port != NULL) {
		/* the host's side of the published port: a free one of 127.0.0.1 */
		rc = bench_net_free_port(&cmd->net_port, err);
		if (rc < 0)
			return rc;
		snprintf(cmd->net_host, sizeof(cmd->net_host), "127.0.0.1");
		snprintf(map, sizeof(map), "127.0.0.1:%u:%s", cmd->net_port, port);
		if (add(cmd, "-p") || add(cmd, map))
			return too_long(err);
	}
	if (add(cmd, "bench:1") || add_probe(cmd, "/bin/probe", args))
		return too_long(err);
	return 0;
}

/* Through the bridge: the client to the container's own address. */
static int cmd_image_bridge(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
			    struct isolab_error *err)
{
	return image_net_command(ctx, false, args, cmd, err);
}

/* Through a published port: the client to 127.0.0.1, portmap's DNAT to the container. */
static int cmd_image_port(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
			  struct isolab_error *err)
{
	return image_net_command(ctx, true, args, cmd, err);
}

/* A container the engine could not detach (its launch killed): removed, CNI DEL run. */
static void cleanup_image_net(struct bench_ctx *ctx, struct bench_cmd *cmd)
{
	char store[1100];

	if (cmd->net_container[0] == '\0')
		return;
	snprintf(store, sizeof(store), "%s/store", ctx->tmp);
	{
		char *const rm[] = { ctx->engine, "--root", store, "rm", "-f", cmd->net_container,
				     NULL };
		char path[1300];

		snprintf(path, sizeof(path), "%s/containers/%s", store, cmd->net_container);
		if (access(path, F_OK) == 0)
			bench_run_cleanup(rm);
	}
}

static int check_vmm_net(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = check_vmm(ctx, note, size);

	if (rc == 0 && geteuid() != 0) {
		snprintf(note, size, "making a tap needs root");
		return -EPERM;
	}
	if (rc == 0 && access("/dev/net/tun", R_OK | W_OK) != 0) {
		snprintf(note, size, "no /dev/net/tun here");
		return -ENODEV;
	}
	return rc ? rc : need_tool("ip", note, size);
}

/* vhost-net (the kernel moving the frames) is not in isolab-vmm yet. */
static int check_vmm_vhost(const struct bench_ctx *ctx, char *note, size_t size)
{
	(void)ctx;
	snprintf(note, size, "isolab-vmm has no vhost-net data path yet (vmm/README.md: "
			     "the VMM copies every frame; /dev/vhost-net is not used)");
	return -ENOTSUP;
}

/* The tap BENCH_NET_TAP_HOST/BITS, up, once. */
static int prepare_tap(struct bench_ctx *ctx, struct isolab_error *err)
{
	char name[16], addr[32];
	int rc;

	if (ctx->net_tap[0] != '\0')
		return 0;
	snprintf(name, sizeof(name), "islb%d", (int)getpid() % 100000000);
	snprintf(addr, sizeof(addr), "%s/%s", BENCH_NET_TAP_HOST, BENCH_NET_TAP_BITS);
	{
		char *const add_tap[] = { "ip", "tuntap", "add", "mode", "tap", name, NULL };
		char *const add_addr[] = { "ip", "addr", "add", addr, "dev", name, NULL };
		char *const up[] = { "ip", "link", "set", name, "up", NULL };

		rc = run_to_end(add_tap, 30, "ip tuntap add", err);
		if (rc == 0)
			snprintf(ctx->net_tap, sizeof(ctx->net_tap), "%s", name);
		if (rc == 0)
			rc = run_to_end(add_addr, 30, "ip addr add", err);
		if (rc == 0)
			rc = run_to_end(up, 30, "ip link set up", err);
	}
	return rc;
}

/* The probe in a VM on the tap, the guest's eth0 configured first. */
static int cmd_vmm_net(struct bench_ctx *ctx, const char *const *args, struct bench_cmd *cmd,
		       struct isolab_error *err)
{
	static const char prefix[] = "ip link set eth0 up && ip addr add " BENCH_NET_TAP_VM "/"
				     BENCH_NET_TAP_BITS " dev eth0 && ";
	char net[40];
	const char *options[] = { "--net", net, NULL };
	int rc = prepare_tap(ctx, err);

	if (rc < 0)
		return rc;
	snprintf(net, sizeof(net), "tap=%s", ctx->net_tap);
	snprintf(cmd->net_host, sizeof(cmd->net_host), "%s", BENCH_NET_TAP_VM);
	return vmm_command(ctx, ctx->kernel, ctx->args->vm_mem, prefix, options, args, cmd, err);
}

int bench_net_target(const struct bench_ctx *ctx, const struct bench_cmd *cmd,
		     unsigned probe_port, char *host, size_t size, unsigned *port,
		     struct isolab_error *err)
{
	*port = cmd->net_port ? cmd->net_port : probe_port;
	if (cmd->net_host[0] != '\0') {
		snprintf(host, size, "%s", cmd->net_host);
	} else if (cmd->net_container[0] != '\0') {
		char path[1300];
		cJSON *doc = NULL;
		const cJSON *ip;
		int rc;

		snprintf(path, sizeof(path), "%s/store/containers/%s/config.json", ctx->tmp,
			 cmd->net_container);
		rc = isolab_json_read(path, &doc, err);
		if (rc < 0)
			return isolab_error_wrap(err, "the address of container `%s`", cmd->net_container);
		ip = cJSON_GetObjectItemCaseSensitive(doc, "IPAddress");
		if (!cJSON_IsString(ip) || ip->valuestring[0] == '\0') {
			cJSON_Delete(doc);
			return isolab_error_set(err, -ENOENT, "container `%s`: no IPAddress in its record",
						cmd->net_container);
		}
		snprintf(host, size, "%s", ip->valuestring);
		cJSON_Delete(doc);
	} else {
		snprintf(host, size, "127.0.0.1");
	}
	return 0;
}

void bench_net_teardown(struct bench_ctx *ctx)
{
	char store[1100];

	snprintf(store, sizeof(store), "%s/store", ctx->tmp);
	if (ctx->net_ready) {
		char *const rm[] = { ctx->engine, "--root", store, "network", "rm", BENCH_NET_NAME,
				     NULL };

		bench_run_cleanup(rm);
		ctx->net_ready = false;
	}
	if (ctx->net_tap[0] != '\0') {
		char *const del[] = { "ip", "link", "del", ctx->net_tap, NULL };

		bench_run_cleanup(del);
		ctx->net_tap[0] = '\0';
	}
}

const struct bench_system bench_systems[] = {
	{ "native", BENCH_KIND_PROCESS, 1u << 0, check_native, cmd_native, NULL, NULL, NULL, 0 },
	{ "isolab-ctr", BENCH_KIND_CONTAINER, 1u << 0, check_ctr, cmd_ctr, NULL, NULL, oci_ctr, 0 },
	{ "isolab-ctr-unconfined", BENCH_KIND_CONTAINER, 1u << 0, check_ctr, cmd_ctr_unconfined,
	  NULL, "isolab-ctr", NULL, 0 },
	{ "isolab-ctr-alldevices", BENCH_KIND_CONTAINER, 1u << 0, check_ctr, cmd_ctr_alldevices,
	  NULL, "isolab-ctr", NULL, 0 },
	{ "isolab-ctr-unbounded", BENCH_KIND_CONTAINER, 1u << 0, check_ctr, cmd_ctr_unbounded,
	  NULL, "isolab-ctr", NULL, 0 },
	{ "isolab-image", BENCH_KIND_CONTAINER, 1u << 0, check_image, cmd_image, NULL, "isolab-ctr",
	  NULL, 0 },
	{ "runc", BENCH_KIND_CONTAINER, 1u << 0, check_runc, cmd_runc, cleanup_oci, NULL, oci_runc, 0 },
	{ "crun", BENCH_KIND_CONTAINER, 1u << 0, check_crun, cmd_crun, cleanup_oci, NULL, oci_crun, 0 },
	{ "bwrap", BENCH_KIND_CONTAINER, 1u << 0, check_bwrap, cmd_bwrap, NULL, NULL, NULL, 0 },
	{ "unshare", BENCH_KIND_CONTAINER, 1u << 0, check_unshare, cmd_unshare, NULL, NULL, NULL, 0 },
	{ "isolab-vmm", BENCH_KIND_VM, 1u << 0, check_vmm, cmd_vmm, NULL, NULL, NULL, 0 },
	/*
	 * isa-debug-exit turns the guest's status V into (V << 1) | 1, so 0
	 * becomes 1; a guest that ends through init's `reboot -f` instead
	 * (-no-reboot) makes QEMU exit 0.
	 */
	{ "qemu-microvm", BENCH_KIND_VM, (1u << 1) | (1u << 0), check_qemu, cmd_qemu, NULL, NULL,
	  NULL, 0 },
	/* The same QEMU and guest, the CPU emulated: type 2 against type 1. */
	{ "qemu-tcg", BENCH_KIND_VM, (1u << 1) | (1u << 0), check_qemu_tcg, cmd_qemu_tcg, NULL,
	  NULL, NULL, BENCH_SUITE_STARTUP | BENCH_SUITE_SYSCALL },
	/* isolab-vmm on the kernel native runs: a syscall ratio of one kernel. */
	{ "isolab-vmm-hostkernel", BENCH_KIND_VM, 1u << 0, check_vmm_hostkernel, cmd_vmm_hostkernel,
	  NULL, NULL, NULL, BENCH_SUITE_SYSCALL },
	/* The network suite's (suite_network.c): the probe as a TCP server. */
	{ "isolab-image-bridge", BENCH_KIND_CONTAINER, 1u << 0, check_image_net, cmd_image_bridge,
	  cleanup_image_net, NULL, NULL, BENCH_SUITE_NETWORK },
	{ "isolab-image-port", BENCH_KIND_CONTAINER, 1u << 0, check_image_net, cmd_image_port,
	  cleanup_image_net, NULL, NULL, BENCH_SUITE_NETWORK },
	{ "isolab-vmm-net", BENCH_KIND_VM, 1u << 0, check_vmm_net, cmd_vmm_net, NULL, NULL, NULL,
	  BENCH_SUITE_NETWORK },
	{ "isolab-vmm-vhost", BENCH_KIND_VM, 1u << 0, check_vmm_vhost, cmd_vmm_net, NULL, NULL, NULL,
	  BENCH_SUITE_NETWORK },
};
const size_t bench_system_count = sizeof(bench_systems) / sizeof(bench_systems[0]);

bool bench_system_in_suite(const struct bench_system *sys, unsigned suite)
{
	return sys->suites == 0 || (sys->suites & suite) != 0;
}

const struct bench_system *bench_system_find(const char *name)
{
	size_t i;

	for (i = 0; i < bench_system_count; i++)
		if (strcmp(bench_systems[i].name, name) == 0)
			return &bench_systems[i];
	return NULL;
}

/* ---- builders (the build suite) ---- */

/*
 * Runs a clean-up command to its end (at most 60 s) even after a stop was
 * asked: bench_child_finish gives up at once on a stop request, and what
 * the suite leaves (a builder's containers and mounts) must go anyway.
 */
void bench_run_cleanup(char *const argv[])
{
	sig_atomic_t stop = bench_stop_requested;
	struct bench_child c;

	bench_stop_requested = 0;
	if (bench_child_spawn(&c, argv, false, NULL) == 0)
		bench_child_finish(&c, isolab_now_ns() + 60000000000ull);
	bench_child_release(&c);
	if (stop != 0)
		bench_stop_requested = stop;
}

/* Detaches every mount at or below dir, the deepest (latest) first. */
static void unmount_under(const char *dir)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL, *points[64];
	size_t len = 0, n = 0, dlen = strlen(dir);
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (f == NULL)
		return;
	if (getdelim(&text, &len, '\0', f) < 0) {
		fclose(f);
		return;
	}
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line != NULL && n < 64;
	     line = strtok_r(NULL, "\n", &save)) {
		char *field = line;
		int k;

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...": the fifth field */
		for (k = 0; k < 4 && field != NULL; k++) {
			field = strchr(field, ' ');
			field = field ? field + 1 : NULL;
		}
		if (field == NULL)
			continue;
		field[strcspn(field, " ")] = '\0';
		if (strncmp(field, dir, dlen) == 0 && (field[dlen] == '\0' || field[dlen] == '/'))
			points[n++] = field;
	}
	while (n > 0)
		umount2(points[--n], MNT_DETACH);
}

static int check_context(const struct bench_ctx *ctx, char *note, size_t size)
{
	char dockerfile[PATH_MAX + 16];

	snprintf(dockerfile, sizeof(dockerfile), "%s/Dockerfile", ctx->build_context);
	return need_file(dockerfile, "build context", note, size);
}

/* What both builders need to get the base image: the engine and the image rootfs. */
static int check_engine_base(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_file(ctx->engine, "isolab", note, size);

	if (rc == 0)
		rc = need_file(ctx->engine_full, "isolab-full", note, size);
	if (rc == 0)
		rc = check_rootfs(ctx, note, size);
	return rc ? rc : check_context(ctx, note, size);
}

/*
 * isolab-build: `isolab --root TMP/build-isolab build -t bench-build:1
 * bench/build`, as a user types it (build/isolab runs build/isolab-full
 * for `build`); RUN steps are isolab-ctr containers. Its cache marker:
 * "Step N/M : ..." followed by " ---> CACHED" (engine/README.md "build").
 */
static void isolab_store(const struct bench_ctx *ctx, char *buf, size_t size)
{
	snprintf(buf, size, "%s/build-isolab", ctx->tmp);
}

static int check_isolab_build(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_file(ctx->ctr, "isolab-ctr", note, size);

	return rc ? rc : check_engine_base(ctx, note, size);
}

static int prepare_isolab_build(struct bench_ctx *ctx, struct isolab_error *err)
{
	char store[1100];

	isolab_store(ctx, store, sizeof(store));
	return import_rootfs(ctx, store, BENCH_BUILD_BASE, "isolab-build", err);
}

static int cmd_isolab_build(struct bench_ctx *ctx, struct bench_cmd *cmd, struct isolab_error *err)
{
	char store[1100];

	isolab_store(ctx, store, sizeof(store));
	if (add(cmd, ctx->engine) || add(cmd, "--root") || add(cmd, store) || add(cmd, "build") ||
	    add(cmd, "-t") || add(cmd, BENCH_BUILD_TAG) || add(cmd, ctx->build_context))
		return too_long(err);
	return 0;
}

static void cleanup_isolab_build(struct bench_ctx *ctx)
{
	char store[1100];

	isolab_store(ctx, store, sizeof(store));
	unmount_under(store);
	isolab_rm_rf(store);
}

/*
 * buildah: `buildah bud --layers` (its build cache) with its own storage
 * (--root, --runroot under TMP/build-buildah, the overlay driver as
 * podman and buildah use by default), RUN steps through runc with OCI
 * isolation (a container, as isolab's) and no network (isolab build's
 * default). The base is the same image: isolab's own import of the
 * rootfs, saved as an OCI archive and pulled from it (no network), so
 * both builders start from the same layer and config. Its cache marker:
 * "STEP N/M: ..." followed by "--> Using cache <id>".
 */
#define BUILDAH_STORAGE_DRIVER "overlay"

static void buildah_dir(const struct bench_ctx *ctx, const char *sub, char *buf, size_t size)
{
	snprintf(buf, size, "%s/build-buildah%s%s", ctx->tmp, sub[0] ? "/" : "", sub);
}

/* `buildah --root R --runroot RR --storage-driver D` into cmd. */
static int add_buildah(struct bench_ctx *ctx, struct bench_cmd *cmd)
{
	char root[1100], runroot[1100];

	buildah_dir(ctx, "root", root, sizeof(root));
	buildah_dir(ctx, "run", runroot, sizeof(runroot));
	return add(cmd, "buildah") || add(cmd, "--root") || add(cmd, root) ||
	       add(cmd, "--runroot") || add(cmd, runroot) || add(cmd, "--storage-driver") ||
	       add(cmd, BUILDAH_STORAGE_DRIVER) ? -E2BIG : 0;
}

static int check_buildah(const struct bench_ctx *ctx, char *note, size_t size)
{
	int rc = need_tool("buildah", note, size);

	if (rc == 0)
		rc = need_tool("runc", note, size);
	return rc ? rc : check_engine_base(ctx, note, size);
}

static int prepare_buildah(struct bench_ctx *ctx, struct isolab_error *err)
{
	char store[1100], archive[1100], source[1200];
	struct bench_cmd pull;
	int rc;

	buildah_dir(ctx, "base-store", store, sizeof(store));
	buildah_dir(ctx, "base.tar", archive, sizeof(archive));
	snprintf(source, sizeof(source), "oci-archive:%s", archive);
	memset(&pull, 0, sizeof(pull));
	if (add_buildah(ctx, &pull) || add(&pull, "pull") || add(&pull, "--quiet") ||
	    add(&pull, source))
		return too_long(err);
	rc = import_rootfs(ctx, store, BENCH_BUILD_BASE, "buildah", err);
	if (rc == 0) {
		char *const save[] = { ctx->engine, "--root", store, "save", "-o", archive,
				       BENCH_BUILD_BASE, NULL };

		rc = run_to_end(save, 120, "buildah: isolab save of the base", err);
	}
	if (rc == 0)
		rc = run_to_end(pull.argv, ctx->args->timeout_s, "buildah pull of the base", err);
	isolab_rm_rf(store);
	unlink(archive);
	return rc;
}

static int cmd_buildah(struct bench_ctx *ctx, struct bench_cmd *cmd, struct isolab_error *err)
{
	static const char *const bud[] = { "bud", "--layers", "--isolation", "oci", "--runtime",
					   "runc", "--network", "none", "-t", BENCH_BUILD_TAG, NULL };

	if (add_buildah(ctx, cmd) || add_all(cmd, bud) || add(cmd, ctx->build_context))
		return too_long(err);
	return 0;
}

static void cleanup_buildah(struct bench_ctx *ctx)
{
	char dir[1100];
	struct bench_cmd rm, rmi;

	memset(&rm, 0, sizeof(rm));
	memset(&rmi, 0, sizeof(rmi));
	buildah_dir(ctx, "", dir, sizeof(dir));
	if (access(dir, F_OK) != 0)
		return;
	if (add_buildah(ctx, &rm) == 0 && add(&rm, "rm") == 0 && add(&rm, "--all") == 0)
		bench_run_cleanup(rm.argv);
	if (add_buildah(ctx, &rmi) == 0 && add(&rmi, "rmi") == 0 && add(&rmi, "--all") == 0 &&
	    add(&rmi, "--force") == 0)
		bench_run_cleanup(rmi.argv);
	unmount_under(dir);
	isolab_rm_rf(dir);
}

const struct bench_builder bench_builders[] = {
	{ "isolab-build", "Step ", " ---> CACHED", check_isolab_build, prepare_isolab_build,
	  cmd_isolab_build, cleanup_isolab_build },
	{ "buildah", "STEP ", "--> Using cache", check_buildah, prepare_buildah, cmd_buildah,
	  cleanup_buildah },
};
const size_t bench_builder_count = sizeof(bench_builders) / sizeof(bench_builders[0]);

const struct bench_builder *bench_builder_find(const char *name)
{
	size_t i;

	for (i = 0; i < bench_builder_count; i++)
		if (strcmp(bench_builders[i].name, name) == 0)
			return &bench_builders[i];
	return NULL;
}

static int path_in(char *buf, size_t size, const char *dir, const char *rel)
{
	if (dir[0] == '/')
		return (size_t)snprintf(buf, size, "%s/%s", dir, rel) < size ? 0 : -ENAMETOOLONG;
	{
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return -errno;
		return (size_t)snprintf(buf, size, "%s/%s/%s", cwd, dir, rel) < size ? 0 : -ENAMETOOLONG;
	}
}

int bench_ctx_init(struct bench_ctx *ctx, const struct bench_args *args,
		   struct isolab_error *err)
{
	const char *b = args->build_dir;
	const char *tmpdir = getenv("TMPDIR");
	struct utsname uts;

	memset(ctx, 0, sizeof(*ctx));
	ctx->args = args;
	if (getcwd(ctx->repo, sizeof(ctx->repo)) == NULL)
		return isolab_error_errno(err, -errno, "getcwd");
	if (path_in(ctx->probe, PATH_MAX, b, "probe") || path_in(ctx->vmm, PATH_MAX, b, "isolab-vmm") ||
	    path_in(ctx->ctr, PATH_MAX, b, "isolab-ctr") ||
	    path_in(ctx->engine, PATH_MAX, b, "isolab") ||
	    path_in(ctx->engine_full, PATH_MAX, b, "isolab-full") ||
	    path_in(ctx->kernel, PATH_MAX, b, "guest/bzImage") ||
	    path_in(ctx->initrd, PATH_MAX, b, "image/initramfs.cpio.gz") ||
	    path_in(ctx->rootfs, PATH_MAX, b, "image/rootfs"))
		return isolab_error_set(err, -ENAMETOOLONG, "build dir `%s`: path too long", b);
	if (uname(&uts) == 0)
		snprintf(ctx->host_kernel, sizeof(ctx->host_kernel), "/boot/vmlinuz-%s", uts.release);
	if ((size_t)snprintf(ctx->build_context, sizeof(ctx->build_context), "%s/%s", ctx->repo,
			     BENCH_BUILD_CONTEXT) >= sizeof(ctx->build_context))
		return isolab_error_set(err, -ENAMETOOLONG, "`%s`: path too long", ctx->repo);
	if ((size_t)snprintf(ctx->tmp, sizeof(ctx->tmp), "%s/isolab-bench.XXXXXX",
			     tmpdir ? tmpdir : "/tmp") >= sizeof(ctx->tmp)) {
		ctx->tmp[0] = '\0';
		return isolab_error_set(err, -ENAMETOOLONG, "TMPDIR `%s`: too long", tmpdir);
	}
	if (mkdtemp(ctx->tmp) == NULL) {
		int rc = -errno;

		ctx->tmp[0] = '\0';
		return isolab_error_errno(err, rc, "create a temp dir");
	}
	ctx->kvm = bench_kvm_usable();
	ctx->tty = isatty(STDERR_FILENO) == 1;
	ctx->started_ns = isolab_now_ns();
	return 0;
}

void bench_ctx_destroy(struct bench_ctx *ctx)
{
	if (ctx->tmp[0] != '\0')
		isolab_rm_rf(ctx->tmp);
	ctx->tmp[0] = '\0';
}

void bench_cmd_string(const struct bench_cmd *cmd, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < cmd->argc && len < size; i++) {
		bool quote = strpbrk(cmd->argv[i], " \"'") != NULL;

		len += (size_t)snprintf(buf + len, size - len, quote ? "%s'%s'" : "%s%s",
					i ? " " : "", cmd->argv[i]);
	}
}

cJSON *bench_cmd_read_stats(const struct bench_cmd *cmd)
{
	cJSON *doc = NULL;

	if (cmd->stats_path[0] == '\0' || access(cmd->stats_path, R_OK) != 0)
		return NULL;
	if (isolab_json_read(cmd->stats_path, &doc, NULL) < 0)
		return NULL;
	return doc;
}
