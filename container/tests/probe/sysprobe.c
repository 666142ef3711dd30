/*
 * sysprobe.c: a static test helper in the shared image (/bin/sysprobe).
 * `sysprobe NAME` makes one system call the container tests expect the
 * runtime's policy to refuse, with harmless arguments, and prints
 * "NAME: ok" (exit 0) or "NAME: EPERM" (the errno's name, exit 1). The
 * arguments are chosen so that a call the filter lets through fails in the
 * kernel with another errno (EFAULT, EBADF, EINVAL, ...) and changes
 * nothing.
 */
#include <errno.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long probe(const char *name)
{
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
	if (strcmp(name, "getpid") == 0)
		return syscall(SYS_getpid);
	errno = ENOSYS;
	fprintf(stderr, "sysprobe: unknown probe `%s`\n", name);
	return -2;
}

int main(int argc, char **argv)
{
	long rc;

	if (argc != 2) {
		fprintf(stderr, "usage: sysprobe NAME\n");
		return 2;
	}
	rc = probe(argv[1]);
	if (rc == -2)
		return 2;
	if (rc < 0) {
		printf("%s: %s\n", argv[1], strerrorname_np(errno));
		return 1;
	}
	printf("%s: ok\n", argv[1]);
	return 0;
}
