/*
 * isolab-vminit.c: the init of `isolab run --vm` (engine/README.md, "Run
 * an image as a VM"), the project's own, never the image's. The engine
 * boots it as /init of a small initramfs that also carries the run's spec
 * (engine/lib/vmspec.h) and, with -i, the caller's stdin. It:
 *   1. mounts devtmpfs on /dev, finds the image's disk /dev/vda (ext4,
 *      read-only), a tmpfs for the writable layer, and an overlay of the
 *      two at /newroot (writes go to RAM and are lost at exit, like a
 *      container's writable layer);
 *   2. moves into it (mount --move, chroot: the initramfs cannot be
 *      pivoted away) and mounts /proc, /sys, /dev, /dev/pts, /dev/shm;
 *   3. runs the spec's program as a child with its environment, working
 *      directory (made if missing, as Docker does), uid/gid (no
 *      supplementary groups, as isolab-ctr), hostname and stdin; its
 *      stdout and stderr are a pipe this init copies to the console (so,
 *      as in a container, they are not a terminal), or with -t the
 *      console itself; the console is raw unless -t (bytes pass
 *      unchanged: no \r added);
 *   4. reaps every process (it is PID 1) until the program exits, and
 *      ends the VM with the program's status (128+N for a signal) on the
 *      debug-exit port (common/guest_ports.h). Its own failures end it
 *      with 125 (126 not executable, 127 not found: docker run's), after
 *      one line `isolab-vminit: WHAT: WHY` on the console.
 * Static (glibc), run as PID 1 as root.
 */
#include "common/guest_ports.h"
#include "engine/lib/vmspec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#define EXIT_FAILED 125
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127
#define DISK "/dev/vda"
#define NEWROOT "/newroot"

static char *argv_store[ENG_VMSPEC_MAX_ARGS + 1];
static char *env_store[ENG_VMSPEC_MAX_ENV + 1];

/* Ends the VM with status: the console drained first, then the port. */
static void __attribute__((noreturn)) end_vm(int status)
{
	tcdrain(STDOUT_FILENO);
	tcdrain(STDERR_FILENO);
	if (ioperm(ISOLAB_PORT_DEBUG_EXIT, 1, 1) == 0)
		outb((unsigned char)status, ISOLAB_PORT_DEBUG_EXIT);
	/* not isolab-vmm (no debug port): power off */
	sync();
	reboot(RB_POWER_OFF);
	_exit(status);
}

/* One line `isolab-vminit: MESSAGE` on the console, then the VM ends. */
static void __attribute__((noreturn, format(printf, 2, 3))) die(int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	fprintf(stderr, "isolab-vminit: %s\n", msg);
	fflush(stderr);
	end_vm(status);
}

static void mount_or_die(const char *src, const char *dst, const char *type, unsigned long flags,
			 const char *data)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, data) < 0)
		die(EXIT_FAILED, "mount %s on `%s`: %s", type, dst, strerror(errno));
}

static size_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		die(EXIT_FAILED, "open `/%s`: %s", path, strerror(errno));
	while (len < size && (n = read(fd, buf + len, size - len)) != 0) {
		if (n < 0 && errno != EINTR)
			die(EXIT_FAILED, "read `/%s`: %s", path, strerror(errno));
		if (n > 0)
			len += (size_t)n;
	}
	close(fd);
	if (len == size)
		die(EXIT_FAILED, "`/%s`: over %zu bytes", path, size - 1);
	return len;
}

/* The image's disk under an overlay whose upper layer is a tmpfs. */
static void mount_root(void)
{
	/* virtio-blk probes before init runs; a slow probe gets a moment */
	for (int i = 0; i < 100 && access(DISK, F_OK) < 0; i++)
		usleep(10000);
	mount_or_die(DISK, "/lower", "ext4", MS_RDONLY | MS_NOATIME, "");
	mount_or_die("tmpfs", "/upper", "tmpfs", MS_NOATIME, "mode=0755");
	mkdir("/upper/data", 0755);
	mkdir("/upper/work", 0755);
	mount_or_die("overlay", NEWROOT, "overlay", 0,
		     "lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work");
	if (chdir(NEWROOT) < 0 || mount(NEWROOT, "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0)
		die(EXIT_FAILED, "switch to the image's root: %s", strerror(errno));
	mount_or_die("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_or_die("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL);
	mount_or_die("devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755");
	mount_or_die("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620");
	mount_or_die("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777");
}

/* Without -t the console passes bytes unchanged: no \n -> \r\n, no echo. */
static void console_raw(void)
{
	struct termios t;

	if (tcgetattr(STDOUT_FILENO, &t) < 0)
		return;
	cfmakeraw(&t);
	tcsetattr(STDOUT_FILENO, TCSANOW, &t);
}

/* mkdir -p of the working directory, as the image's root (Docker makes a
 * missing WorkingDir). */
static void make_dirs(const char *path)
{
	char buf[4096];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return;
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, 0755);
}

/* execvp with the program's own PATH (from its environment). */
static int __attribute__((noreturn)) exec_program(const struct eng_vmspec *s)
{
	int saved;

	environ = s->env;
	execvp(s->argv[0], s->argv);
	saved = errno;
	if (saved == ENOENT && strchr(s->argv[0], '/') == NULL)
		fprintf(stderr, "isolab-vminit: exec `%s`: command not found in PATH\n", s->argv[0]);
	else
		fprintf(stderr, "isolab-vminit: exec `%s`: %s\n", s->argv[0], strerror(saved));
	fflush(stderr);
	_exit(saved == ENOENT || saved == ENOTDIR ? EXIT_NOTFOUND :
	      saved == EACCES || saved == ENOEXEC || saved == EISDIR || saved == EPERM ?
	      EXIT_NOEXEC : EXIT_FAILED);
}

static void __attribute__((noreturn)) child(const struct eng_vmspec *s, int stdin_fd)
{
	setsid();
	if (s->tty) {
		/* /dev/console cannot be a controlling terminal; the port it
		 * names can (isolab-vmm's console=ttyS0), so ^C reaches the
		 * program. */
		int fd = open("/dev/ttyS0", O_RDWR);

		if (fd >= 0) {
			dup2(fd, STDIN_FILENO), dup2(fd, STDOUT_FILENO), dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
			ioctl(STDIN_FILENO, TIOCSCTTY, 0);
		}
	}
	if (stdin_fd >= 0 && dup2(stdin_fd, STDIN_FILENO) < 0)
		die(EXIT_FAILED, "stdin: %s", strerror(errno));
	if (setgroups(0, NULL) < 0 || setresgid(s->gid, s->gid, s->gid) < 0 ||
	    setresuid(s->uid, s->uid, s->uid) < 0) {
		fprintf(stderr, "isolab-vminit: user %u:%u: %s\n", s->uid, s->gid, strerror(errno));
		_exit(EXIT_FAILED);
	}
	if (chdir(s->cwd ? s->cwd : "/") < 0) {
		fprintf(stderr, "isolab-vminit: working directory `%s`: %s\n", s->cwd,
			strerror(errno));
		_exit(EXIT_FAILED);
	}
	/* what follows is the program's (vmspec.h): the engine sends it to
	 * stdout, and what came before to stderr */
	if (write(STDOUT_FILENO, ENG_VMSPEC_OUTPUT_MARK, sizeof(ENG_VMSPEC_OUTPUT_MARK) - 1) < 0)
		_exit(EXIT_FAILED);
	exec_program(s);
}

/* The program's output, copied from its pipe to the console. */
static bool relay(int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	for (ssize_t done = 0; n > 0 && done < n;) {
		ssize_t w = write(STDOUT_FILENO, buf + done, (size_t)(n - done));

		if (w < 0 && errno != EINTR)
			return false;
		done += w > 0 ? w : 0;
	}
	return n > 0 || (n < 0 && errno == EINTR);
}

/*
 * PID 1's loop: relays the program's output (out >= 0) and reaps every
 * orphan until the program itself has exited and what it wrote is out
 * (a process it left holding the pipe does not keep the VM up: the
 * program's exit ends the container, and the VM, as Docker's does).
 */
static int wait_program(pid_t pid, int out)
{
	bool exited = false;
	int st = 0, w_st;

	for (;;) {
		struct pollfd p = { .fd = out, .events = POLLIN };
		int ready = out >= 0 ? poll(&p, 1, exited ? 0 : 50) : 0;
		pid_t w;

		if (ready > 0 && !relay(out)) {
			close(out);
			out = -1;
		}
		while ((w = waitpid(-1, &w_st, out >= 0 ? WNOHANG : 0)) > 0) {
			if (w == pid) {
				exited = true;
				st = w_st;
			}
			if (out < 0 && exited)
				break;
		}
		if (w < 0 && errno != ECHILD && errno != EINTR)
			die(EXIT_FAILED, "wait: %s", strerror(errno));
		if (exited && (out < 0 || ready <= 0))
			return st;
	}
}

int main(void)
{
	static char spec[ENG_VMSPEC_MAX_BYTES + 1];
	struct eng_vmspec s;
	struct isolab_error err = { 0 };
	int stdin_fd = -1, st, out[2] = { -1, -1 };
	size_t len;
	pid_t pid;

	/* The kernel's own messages stay off the program's output. */
	klogctl(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, NULL, 1);
	len = read_file(ENG_VMSPEC_PATH, spec, sizeof(spec));
	if (eng_vmspec_parse(spec, len, &s, argv_store, env_store, &err) < 0)
		die(EXIT_FAILED, "%s", err.msg);
	if (!s.tty)
		console_raw();
	if (s.stdin_mode == ENG_VMSPEC_STDIN_FILE) {
		stdin_fd = open("/" ENG_VMSPEC_STDIN_PATH, O_RDONLY | O_CLOEXEC);
		if (stdin_fd < 0)
			die(EXIT_FAILED, "open `/%s`: %s", ENG_VMSPEC_STDIN_PATH, strerror(errno));
	}
	mount_or_die("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	mount_root();
	if (s.stdin_mode == ENG_VMSPEC_STDIN_NULL) {
		stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (stdin_fd < 0)
			die(EXIT_FAILED, "open `/dev/null`: %s", strerror(errno));
	}
	if (s.hostname != NULL && sethostname(s.hostname, strlen(s.hostname)) < 0)
		die(EXIT_FAILED, "sethostname `%s`: %s", s.hostname, strerror(errno));
	if (s.cwd != NULL)
		make_dirs(s.cwd);
	/* Without -t the program's stdout and stderr are a pipe, as a
	 * container's are (isatty false: `ls` prints one name a line). */
	if (!s.tty && pipe2(out, O_CLOEXEC) < 0)
		die(EXIT_FAILED, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die(EXIT_FAILED, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (out[1] >= 0 && (dup2(out[1], STDOUT_FILENO) < 0 || dup2(out[1], STDERR_FILENO) < 0))
			_exit(EXIT_FAILED);
		child(&s, stdin_fd);
	}
	if (out[1] >= 0)
		close(out[1]);
	st = wait_program(pid, out[0]);
	end_vm(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}
