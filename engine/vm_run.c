/*
 * vm_run.c: `isolab run --vm IMAGE [CMD...]`: the image booted as a
 * microVM by isolab-vmm, in the way Kata Containers and Firecracker run an
 * image: the image's root file system on a virtio disk (vmdisk.h: its
 * layers flattened into an ext4 file, built once per image ID and booted
 * read-only), the project's guest kernel, and the project's own init
 * (vmm/guest/isolab-vminit.c) in a small initramfs made here for the run,
 * with the run's spec (vmspec.h): the argv, environment, working
 * directory and user that `run` would give a container (cmdline.h), and,
 * with -i, the caller's stdin. The init puts a tmpfs overlay over the
 * disk (the writable layer, lost at exit), runs the program, and ends the
 * VM with its status, which becomes this command's.
 *
 * The engine stays isolab-vmm's parent: it reads the VM's --stats to tell
 * the program's status (stop_reason debug-exit) from isolab-vmm's own
 * (refused to start, guest crashed), and removes the run's files.
 */
#include "engine/run.h"

#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/rmtree.h"
#include "common/safe_open.h"
#include "engine/lib/container.h"
#include "engine/lib/vmdisk.h"
#include "engine/lib/vmspec.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The init program: at most this big. */
#define VMINIT_MAX (32u << 20)
/* -i: the caller's stdin goes into guest RAM whole, so it is bounded. */
#define VM_STDIN_MAX (32u << 20)

/* The programs a VM run needs: isolab-vmm, the guest kernel, the init. */
struct vm_files {
	char vmm[PATH_MAX], kernel[PATH_MAX], vminit[PATH_MAX];
};

static int find_files(struct vm_files *f, struct isolab_error *err)
{
	if (eng_cli_beside(f->vmm, sizeof(f->vmm), "isolab-vmm", "ISOLAB_VMM", err) < 0 ||
	    eng_cli_beside(f->kernel, sizeof(f->kernel), "guest/bzImage", "ISOLAB_KERNEL", err) < 0 ||
	    eng_cli_beside(f->vminit, sizeof(f->vminit), "isolab-vminit", "ISOLAB_VMINIT", err) < 0)
		return -EINVAL;
	if (access(f->vmm, X_OK) < 0)
		return isolab_error_errno(err, -errno, "run --vm: isolab-vmm `%s`", f->vmm);
	if (access(f->kernel, R_OK) < 0)
		return isolab_error_errno(err, -errno, "run --vm: guest kernel `%s` (make kernel)",
					  f->kernel);
	if (access(f->vminit, R_OK) < 0)
		return isolab_error_errno(err, -errno, "run --vm: guest init `%s`", f->vminit);
	return 0;
}

/* The VM needs KVM: said here in one line, before a disk is built. */
static int check_kvm(struct isolab_error *err)
{
	_cleanup_close_ int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return isolab_error_set(err, -errno,
					"run --vm: /dev/kvm: %s (a VM needs KVM: run it in the "
					"nested-KVM lab, lab/run)", strerror(errno));
	return 0;
}

/* Reads fd 0 to its end (at most VM_STDIN_MAX bytes). */
static int read_stdin(char **buf, size_t *len, struct isolab_error *err)
{
	size_t cap = 65536;
	ssize_t n;

	*len = 0;
	*buf = malloc(cap);
	if (*buf == NULL)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	for (;;) {
		if (*len == cap) {
			char *p;

			if (cap >= VM_STDIN_MAX)
				return isolab_error_set(err, -EFBIG,
							"run --vm -i: stdin: over %u MiB (a VM run "
							"takes stdin whole, to its end)",
							VM_STDIN_MAX >> 20);
			p = realloc(*buf, cap * 2);
			if (p == NULL)
				return isolab_error_set(err, -ENOMEM, "out of memory");
			*buf = p, cap *= 2;
		}
		n = read(STDIN_FILENO, *buf + *len, cap - *len);
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return isolab_error_errno(err, -errno, "run --vm -i: read stdin");
		if (n > 0)
			*len += (size_t)n;
	}
}

/* The run's initramfs at path: the init, the spec, stdin (-i), and the
 * few directories and the console node the init needs before /dev. */
static int write_initrd(const char *path, const struct vm_files *f, const struct eng_vmspec *s,
			const char *in, size_t in_len, struct isolab_error *err)
{
	static const char *const dirs[] = { "dev", "isolab", "lower", "upper", "newroot" };
	_cleanup_free_ char *init = NULL, *spec = NULL;
	size_t init_len, spec_len = 0;
	FILE *mem, *out;
	int rc;

	rc = isolab_read_regular(f->vminit, VMINIT_MAX, &init, &init_len, err);
	if (rc < 0)
		return rc;
	mem = open_memstream(&spec, &spec_len);
	if (mem == NULL)
		return isolab_error_errno(err, -errno, "run --vm: spec");
	rc = eng_vmspec_write(mem, s, err);
	if (fclose(mem) != 0 && rc == 0)
		rc = isolab_error_errno(err, -errno, "run --vm: spec");
	if (rc < 0)
		return rc;
	out = fopen(path, "wbxe");
	if (out == NULL)
		return isolab_error_errno(err, -errno, "run --vm: create `%s`", path);
	for (size_t i = 0; rc == 0 && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		rc = eng_cpio_add(out, dirs[i], S_IFDIR | 0755, 0, 0, NULL, 0, err);
	if (rc == 0) /* the kernel opens it for init's stdio: 5,1 (devices.txt) */
		rc = eng_cpio_add(out, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0, err);
	if (rc == 0)
		rc = eng_cpio_add(out, "init", S_IFREG | 0755, 0, 0, init, init_len, err);
	if (rc == 0)
		rc = eng_cpio_add(out, ENG_VMSPEC_PATH, S_IFREG | 0600, 0, 0, spec, spec_len, err);
	if (rc == 0 && s->stdin_mode == ENG_VMSPEC_STDIN_FILE)
		rc = eng_cpio_add(out, ENG_VMSPEC_STDIN_PATH, S_IFREG | 0600, 0, 0, in, in_len,
				  err);
	if (rc == 0)
		rc = eng_cpio_end(out, err);
	if (fclose(out) != 0 && rc == 0)
		rc = isolab_error_errno(err, -errno, "run --vm: write `%s`", path);
	return rc;
}

/* Works out the spec as `run` does for a container, and makes (or finds)
 * the image's disk. The store is locked meanwhile. */
static int prepare(struct eng_cli *cli, struct eng_vm_request *rq, struct eng_vmspec *s,
		   char *disk)
{
	struct eng_image img;
	char **layers = NULL;
	size_t n_layers = 0;
	bool built;
	int rc;

	if (eng_cli_store(cli, true) < 0)
		return -EIO;
	rc = eng_image_find(&cli->store, rq->image, &img, &cli->err);
	if (rc < 0)
		return rc;
	rq->env.hostname = s->hostname;
	rc = eng_image_layer_dirs(&cli->store, &img, &layers, &n_layers, &cli->err);
	if (rc == 0)
		rc = eng_cmdline_resolve(&img.config, &rq->ov, &s->argv, &s->argc, &cli->err);
	if (rc == 0)
		rc = eng_env_resolve(&img.config, &rq->env, &s->env, &s->n_env, &cli->err);
	if (rc == 0)
		rc = eng_run_user(rq->user, &img, layers, n_layers, &s->uid, &s->gid, &cli->err);
	if (rc == 0 && (rq->workdir || img.config.working_dir)) {
		s->cwd = strdup(rq->workdir ? rq->workdir : img.config.working_dir);
		if (s->cwd == NULL)
			rc = isolab_error_set(&cli->err, -ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = check_kvm(&cli->err);
	if (rc == 0)
		rc = eng_vmdisk_get(&cli->store, &img, disk, &built, &cli->err);
	eng_image_layer_dirs_free(layers, n_layers);
	eng_image_free(&img);
	return rc;
}

/* What isolab-vmm's --stats says: the program's status when the init
 * reported it; else 125 and why (isolab-vmm printed its own line when it
 * refused to start: no stats then). */
static int vm_status(struct eng_cli *cli, const char *stats, int vmm_status)
{
	cJSON *doc = NULL;
	const cJSON *reason;
	struct isolab_error e = { 0 };
	int status;

	if (isolab_json_read(stats, &doc, &e) < 0)
		return ENG_EXIT_RUN; /* isolab-vmm said why */
	reason = cJSON_GetObjectItemCaseSensitive(doc, "stop_reason");
	if (cJSON_IsString(reason) && strcmp(reason->valuestring, "debug-exit") == 0)
		status = vmm_status;
	else if (cJSON_IsString(reason) && strcmp(reason->valuestring, "signal") == 0)
		status = vmm_status; /* 128+N, as a container's */
	else {
		isolab_error_set(&cli->err, -EIO,
				 "run --vm: the VM stopped (%s) before the program's status came",
				 cJSON_IsString(reason) ? reason->valuestring : "?");
		status = ENG_EXIT_RUN;
	}
	cJSON_Delete(doc);
	return status;
}

/* Writes all of buf to fd (the caller's stdout or stderr). */
static void emit(int fd, const char *buf, size_t len, void *ctx)
{
	(void)ctx;
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the reader is gone: the rest is dropped */
		buf += n, len -= (size_t)n;
	}
}

/* The console, from isolab-vmm's stdout until it ends: the program's part
 * to stdout, the boot's to stderr (vmspec.h). */
static void relay(int fd)
{
	static struct eng_vm_output o;
	char buf[65536];
	ssize_t n;

	memset(&o, 0, sizeof(o));
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		eng_vm_output_feed(&o, buf, (size_t)n, emit, NULL);
	}
	eng_vm_output_end(&o, emit, NULL);
}

static int boot(struct eng_cli *cli, const struct eng_vm_request *rq, const struct vm_files *f,
		const char *disk, const char *work)
{
	char initrd[PATH_MAX + 32], stats[PATH_MAX + 32], disk_arg[PATH_MAX + 8];
	const char *argv[20];
	size_t n = 0;
	pid_t pid;
	int status, out[2];

	snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", work);
	snprintf(stats, sizeof(stats), "%s/stats.json", work);
	snprintf(disk_arg, sizeof(disk_arg), "%s,ro", disk);
	argv[n++] = f->vmm;
	argv[n++] = "--kernel", argv[n++] = f->kernel;
	argv[n++] = "--initrd", argv[n++] = initrd;
	argv[n++] = "--disk", argv[n++] = disk_arg;
	argv[n++] = "--stats", argv[n++] = stats;
	if (rq->memory)
		argv[n++] = "--memory", argv[n++] = rq->memory;
	if (rq->cpus)
		argv[n++] = "--cpus", argv[n++] = rq->cpus;
	argv[n] = NULL;
	if (pipe2(out, O_CLOEXEC) < 0)
		return isolab_error_errno(&cli->err, -errno, "run --vm: pipe"), ENG_EXIT_RUN;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(out[0]), close(out[1]);
		return isolab_error_errno(&cli->err, -errno, "run --vm: fork"), ENG_EXIT_RUN;
	}
	if (pid == 0) {
		/* Without -t the console is no input: the caller's stdin is not
		 * read (with -i it went into the initramfs). */
		if (!rq->tty) {
			int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

			if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
				_exit(ENG_EXIT_RUN);
		}
		if (dup2(out[1], STDOUT_FILENO) < 0)
			_exit(ENG_EXIT_RUN);
		execv(f->vmm, (char *const *)argv);
		fprintf(stderr, "isolab: run --vm: exec `%s`: %s\n", f->vmm, strerror(errno));
		_exit(ENG_EXIT_RUN);
	}
	close(out[1]);
	eng_run_signals(pid, false);
	relay(out[0]);
	close(out[0]);
	status = eng_run_wait(pid, false);
	return vm_status(cli, stats, status);
}

int eng_vm_run(struct eng_cli *cli, struct eng_vm_request *rq)
{
	struct vm_files f;
	struct eng_vmspec s = { .stdin_mode = ENG_VMSPEC_STDIN_NULL };
	char disk[PATH_MAX], work[PATH_MAX], initrd[PATH_MAX + 32], name[ENG_CONTAINER_NAME_MAX + 1];
	_cleanup_free_ char *in = NULL;
	size_t in_len = 0;
	int rc, status = ENG_EXIT_RUN;

	if (rq->name == NULL)
		eng_container_name_new(name, sizeof(name));
	s.hostname = rq->hostname ? rq->hostname : rq->name ? rq->name : name;
	s.tty = rq->tty;
	if (rq->tty)
		s.stdin_mode = ENG_VMSPEC_STDIN_CONSOLE;
	else if (rq->interactive)
		s.stdin_mode = ENG_VMSPEC_STDIN_FILE;
	if (find_files(&f, &cli->err) < 0)
		return ENG_EXIT_RUN;
	rc = prepare(cli, rq, &s, disk);
	if (rc == 0) {
		/* Not in ROOT/tmp: the store's garbage collection empties that
		 * under its lock, which this run does not hold while it runs. */
		const char *tmp = getenv("TMPDIR");

		snprintf(work, sizeof(work), "%s/isolab-vm-XXXXXX",
			 tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
		if (mkdtemp(work) == NULL)
			rc = isolab_error_errno(&cli->err, -errno, "run --vm: mkdtemp `%s`", work);
	}
	/* The store is not locked while the VM runs. */
	if (cli->store_open) {
		eng_store_close(&cli->store);
		cli->store_open = false;
	}
	if (rc < 0)
		goto out;
	if (s.stdin_mode == ENG_VMSPEC_STDIN_FILE)
		rc = read_stdin(&in, &in_len, &cli->err);
	snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", work);
	if (rc == 0)
		rc = write_initrd(initrd, &f, &s, in, in_len, &cli->err);
	if (rc == 0)
		status = boot(cli, rq, &f, disk, work);
	isolab_rm_rf(work);
out:
	eng_strv_free(s.argv);
	eng_strv_free(s.env);
	free((char *)s.cwd);
	return status;
}
