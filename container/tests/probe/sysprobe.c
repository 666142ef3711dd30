/*
 * sysprobe.c: a static test helper in the shared image (/bin/sysprobe).
 * `sysprobe NAME [ARG]` makes one system call the container tests expect
 * the runtime's policy to refuse, with harmless arguments, and prints
 * "NAME: ok" (exit 0) or "NAME: EPERM" (the errno's name, exit 1). The
 * arguments are chosen so that a call the filter lets through fails in the
 * kernel with another errno (EFAULT, EBADF, EINVAL, ...) and changes
 * nothing. The probes that take ARG (a path or a socket name) act only on
 * the container's own mounts and root: they are the attacks of
 * container/tests/attacks.lib.sh.
 */
#include <errno.h>
#include <stddef.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * The classic chroot breakout: keep a directory fd, chroot into a
 * subdirectory, fchdir back out through the fd, climb and chroot there.
 * It leaves the jail; whether it leaves the container shows in whether
 * `host_path` (a path only the host has) exists afterwards.
 */
static long chroot_escape(const char *host_path)
{
	int outside, i, rc;

	if (mkdir("/tmp/sysprobe-jail", 0700) < 0 && errno != EEXIST)
		return -1;
	outside = open("/", O_RDONLY | O_DIRECTORY);
	if (outside < 0)
		return -1;
	rc = chroot("/tmp/sysprobe-jail") < 0 || fchdir(outside) < 0 ? -1 : 0;
	close(outside);
	if (rc < 0)
		return -1;
	for (i = 0; i < 64; i++)
		if (chdir("..") < 0)
			return -1;
	if (chroot(".") < 0)
		return -1;
	return access(host_path, F_OK);
}

/* connect to the abstract UNIX socket "\0name" (network-namespace scoped) */
static long abstract_connect(const char *name)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	int fd, rc, saved;

	if (len + 1 > sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(addr.sun_path + 1, name, len);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	rc = connect(fd, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len));
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static long probe(const char *name, const char *arg)
{
	/* the serial of the session keyring (printed as "session-keyring: N") */
	if (strcmp(name, "session-keyring") == 0)
		return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	if (strcmp(name, "keyctl") == 0) /* read root's user keyring */
		return syscall(SYS_keyctl, KEYCTL_READ, KEY_SPEC_USER_KEYRING, NULL, 0);
	/* a key type that does not exist: ENODEV when let through */
	if (strcmp(name, "add_key") == 0)
		return syscall(SYS_add_key, "isolab-no-type", "probe", "x", 1, KEY_SPEC_SESSION_KEYRING);
	if (strcmp(name, "request_key") == 0)
		return syscall(SYS_request_key, "isolab-no-type", "probe", NULL, 0);
	if (strcmp(name, "unshare-user") == 0)
		return unshare(CLONE_NEWUSER);
	if (strcmp(name, "clone-newuser") == 0) {
		long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid((pid_t)pid, NULL, 0);
		return pid;
	}
	if (strcmp(name, "clone3") == 0) /* a NULL args: EFAULT when let through */
		return syscall(SYS_clone3, NULL, 0);
	if (strcmp(name, "mount") == 0)
		return mount("none", "/tmp", "tmpfs", 0, NULL);
	if (strcmp(name, "reboot") == 0) /* bad magic: EINVAL when let through */
		return syscall(SYS_reboot, 0, 0, 0, NULL);
	if (strcmp(name, "clock_settime") == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		return clock_settime(CLOCK_REALTIME, &ts);
	}
	if (strcmp(name, "init_module") == 0)
		return syscall(SYS_init_module, NULL, 0, "");
	if (strcmp(name, "bpf") == 0)
		return syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, NULL, 0);
	if (strcmp(name, "perf_event_open") == 0)
		return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	if (strcmp(name, "open_by_handle_at") == 0)
		return syscall(SYS_open_by_handle_at, -1, NULL, 0);
	if (strcmp(name, "finit_module") == 0) /* no fd: EBADF when let through */
		return syscall(SYS_finit_module, -1, "", 0);
	if (strcmp(name, "settimeofday") == 0) /* neither time nor zone: a no-op when let through */
		return syscall(SYS_settimeofday, NULL, NULL);
	if (strcmp(name, "umount") == 0 && arg != NULL)
		return umount2(arg, MNT_DETACH);
	if (strcmp(name, "remount-rw") == 0 && arg != NULL) /* the bind mount at ARG, read-write */
		return mount(NULL, arg, NULL, MS_REMOUNT | MS_BIND, NULL);
	if (strcmp(name, "mount-proc") == 0 && arg != NULL) /* a fresh, unmasked procfs at ARG */
		return mount("proc", arg, "proc", 0, NULL);
	if (strcmp(name, "chroot-escape") == 0 && arg != NULL)
		return chroot_escape(arg);
	if (strcmp(name, "abstract-connect") == 0 && arg != NULL)
		return abstract_connect(arg);
	if (strcmp(name, "getpid") == 0)
		return syscall(SYS_getpid);
	errno = ENOSYS;
	fprintf(stderr, "sysprobe: unknown probe `%s` (or its argument missing)\n", name);
	return -2;
}

int main(int argc, char **argv)
{
	long rc;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: sysprobe NAME [ARG]\n");
		return 2;
	}
	rc = probe(argv[1], argc == 3 ? argv[2] : NULL);
	if (rc == -2)
		return 2;
	if (rc < 0) {
		printf("%s: %s\n", argv[1], strerrorname_np(errno));
		return 1;
	}
	if (strcmp(argv[1], "session-keyring") == 0)
		printf("%s: %ld\n", argv[1], rc);
	else
		printf("%s: ok\n", argv[1]);
	return 0;
}
