/*
 * vmdisk.c: an image's layers flattened into a cached ext4 disk
 * (vmdisk.h). A child process does the privileged part in a mount
 * namespace of its own -- the overlay mount dies with it however it ends,
 * so nothing is left mounted -- measures the merged tree and becomes
 * `mkfs.ext4 -d`. The parent renames the finished file into the cache.
 */
#include "engine/lib/vmdisk.h"

#include "common/cleanup.h"
#include "common/mkdir.h"
#include "common/rmtree.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024ull * 1024ull)

void eng_vmdisk_size(uint64_t bytes, uint64_t inodes, uint64_t *disk_bytes,
		     uint64_t *disk_inodes)
{
	uint64_t blocks = (bytes + 4095) / 4096;

	*disk_bytes = (blocks + blocks / 4) * 4096 + 16 * MIB;
	*disk_inodes = inodes + inodes / 4;
	if (*disk_inodes < 1024)
		*disk_inodes = 1024;
}

void eng_vmdisk_path(const struct eng_store *s, const struct eng_image *img, char *buf)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "vmdisks/%s.ext4", eng_digest_hex(&img->id));
	eng_store_path(s, rel, buf);
}

/* The merged tree's size, measured in the child (nftw has no context). */
static uint64_t tree_bytes, tree_inodes;

static int measure(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path, (void)type, (void)ftw;
	tree_inodes++;
	if (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode) || S_ISDIR(st->st_mode))
		tree_bytes += ((uint64_t)st->st_size + 4095) / 4096 * 4096;
	return 0;
}

/* Runs an e2fsprogs tool (on PATH, or in /sbin), quietly; its status. */
static int run_tool(char *const *argv)
{
	char sbin[64];
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		/* stdout is the program's output; the tool's errors go to stderr */
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		snprintf(sbin, sizeof(sbin), "/sbin/%s", argv[0]);
		execvp(argv[0], argv);
		execv(sbin, argv);
		fprintf(stderr, "isolab: vm disk: exec %s: %s (install e2fsprogs)\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

/* The child: returns only on failure (a message on stderr, as the status
 * is all the parent sees); on success it is mkfs.ext4. Relative paths
 * from ROOT/layers keep the overlay's option string short. */
static void build_child(char *const *layers, size_t n, const char *layers_dir, const char *work,
			const char *file)
{
	char merged[PATH_MAX + 16], empty[PATH_MAX + 16], opts[4096], size_s[32], inodes_s[32];
	uint64_t disk_bytes, disk_inodes;
	size_t used;
	int fd;

	snprintf(merged, sizeof(merged), "%s/merged", work);
	snprintf(empty, sizeof(empty), "%s/empty", work);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "isolab: vm disk: mount namespace: %s\n", strerror(errno));
		return;
	}
	if (chdir(layers_dir) < 0) {
		fprintf(stderr, "isolab: vm disk: chdir `%s`: %s\n", layers_dir, strerror(errno));
		return;
	}
	/* overlayfs: lowerdir=TOP:...:LOWEST; the empty dir at the bottom lets
	 * a one-layer image mount too (no upperdir needs two lowers). */
	used = (size_t)snprintf(opts, sizeof(opts), "lowerdir=");
	for (size_t i = n; i-- > 0 && used < sizeof(opts);)
		used += (size_t)snprintf(opts + used, sizeof(opts) - used, "%s:", basename(layers[i]));
	if (used < sizeof(opts))
		used += (size_t)snprintf(opts + used, sizeof(opts) - used, "%s", empty);
	if (used >= sizeof(opts)) {
		fprintf(stderr, "isolab: vm disk: %zu layers: too many for one overlay mount\n", n);
		return;
	}
	if (mount("overlay", merged, "overlay", MS_RDONLY, opts) < 0) {
		fprintf(stderr, "isolab: vm disk: overlay mount of %zu layers: %s\n", n,
			strerror(errno));
		return;
	}
	if (nftw(merged, measure, 64, FTW_PHYS | FTW_MOUNT) < 0) {
		fprintf(stderr, "isolab: vm disk: measure the image: %s\n", strerror(errno));
		return;
	}
	eng_vmdisk_size(tree_bytes, tree_inodes, &disk_bytes, &disk_inodes);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)disk_bytes) < 0) {
		fprintf(stderr, "isolab: vm disk: create `%s`: %s\n", file, strerror(errno));
		return;
	}
	close(fd);
	snprintf(size_s, sizeof(size_s), "%lluk", (unsigned long long)(disk_bytes / 1024));
	snprintf(inodes_s, sizeof(inodes_s), "%llu", (unsigned long long)disk_inodes);
	/* No journal (the disk is only ever mounted read-only), no blocks kept
	 * for root, 4 KiB blocks whatever the size. */
	{
		char *const argv[] = { "mkfs.ext4", "-q", "-F", "-b", "4096", "-m", "0", "-N",
				       inodes_s, "-O", "^has_journal", "-L", "isolab-root", "-d",
				       merged, (char *)file, size_s, NULL };

		if (run_tool(argv) != 0)
			return;
	}
	/* mkfs makes /lost+found; an image has none, and the VM's / should
	 * list what a container's does. */
	{
		char *const argv[] = { "debugfs", "-w", "-R", "rmdir lost+found", (char *)file,
				       NULL };
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		/* debugfs prints its banner on stderr and a line end on stdout:
		 * neither is the caller's (stdout is the program's output) */
		if (null >= 0)
			dup2(null, STDOUT_FILENO), dup2(null, STDERR_FILENO);
		execvp(argv[0], argv);
		execv("/sbin/debugfs", argv);
	}
}

static int build(const struct eng_store *s, const struct eng_image *img, const char *dest,
		 struct isolab_error *err)
{
	char **layers = NULL, work[PATH_MAX], layers_dir[PATH_MAX], path[PATH_MAX + 16];
	size_t n = 0;
	int rc, st;
	pid_t pid;

	rc = eng_image_layer_dirs(s, img, &layers, &n, err);
	if (rc < 0)
		return rc;
	eng_store_path(s, "tmp/vmdisk-XXXXXX", work);
	eng_store_path(s, "layers", layers_dir);
	if (mkdtemp(work) == NULL) {
		rc = isolab_error_errno(err, -errno, "vm disk: mkdtemp `%s`", work);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/merged", work);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/empty", work);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/disk.ext4", work);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = isolab_error_errno(err, -errno, "vm disk: fork");
		goto out_rm;
	}
	if (pid == 0) {
		build_child(layers, n, layers_dir, work, path);
		_exit(125);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			st = -1;
			break;
		}
	if (st != 0) {
		rc = isolab_error_set(err, -EIO, "image %.19s: making its VM disk failed (%s %d)",
				      img->id.str, WIFSIGNALED(st) ? "signal" : "status",
				      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		goto out_rm;
	}
	{
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fsync(fd) < 0) {
			rc = isolab_error_errno(err, -errno, "vm disk: sync `%s`", path);
			goto out_rm;
		}
	}
	if (rename(path, dest) < 0)
		rc = isolab_error_errno(err, -errno, "vm disk: rename to `%s`", dest);
out_rm:
	isolab_rm_rf(work);
out:
	eng_image_layer_dirs_free(layers, n);
	return rc;
}

int eng_vmdisk_get(const struct eng_store *s, const struct eng_image *img, char *path,
		   bool *built, struct isolab_error *err)
{
	char dir[PATH_MAX];
	struct stat st;
	int rc;

	*built = false;
	eng_vmdisk_path(s, img, path);
	if (lstat(path, &st) == 0) {
		if (S_ISREG(st.st_mode))
			return 0;
		return isolab_error_set(err, -EINVAL, "vm disk `%s`: not a regular file", path);
	}
	if (errno != ENOENT)
		return isolab_error_errno(err, -errno, "vm disk `%s`", path);
	eng_store_path(s, "vmdisks", dir);
	rc = isolab_mkdir_p(dir, 0700);
	if (rc < 0)
		return isolab_error_errno(err, rc, "vm disk: mkdir `%s`", dir);
	rc = build(s, img, path, err);
	if (rc == 0)
		*built = true;
	return rc;
}
