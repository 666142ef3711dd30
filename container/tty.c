/* tty.c: the container's own pseudo-terminal and the relay to the caller's (see tty.h). */
#include "container/tty.h"
#include "common/io.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

int ctr_tty_create(struct isolab_error *err)
{
	_cleanup_close_ int master = -1, slave = -1;
	char name[64];

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return isolab_error_errno(err, -errno, "-t: open `/dev/ptmx`");
	if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
		return isolab_error_errno(err, -errno, "-t: set up the pseudo-terminal");
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return isolab_error_errno(err, -errno, "-t: open `%s`", name);
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return isolab_error_errno(err, -errno, "-t: make `%s` the controlling terminal", name);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return isolab_error_errno(err, -errno, "-t: dup2 the terminal");
	return isolab_take_fd(&master);
}

void ctr_tty_adopt(struct ctr_tty *t, int master)
{
	if (t->master >= 0)
		close(t->master);
	t->master = master;
	if (isatty(STDIN_FILENO))
		copy_winsize(STDIN_FILENO, master);
}

/* Copies what fd has to out; 0 at EOF (or EIO: the slave side is gone),
 * 1 if it copied something, -errno on error. */
static int pump(int fd, int out)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n < 0 && errno == EIO)
		return 0;
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	return isolab_write_all(out, buf, (size_t)n) < 0 ? 0 : 1;
}

int ctr_tty_relay(struct ctr_tty *t, int pidfd, struct isolab_error *err)
{
	_cleanup_close_ int sigfd = -1;
	bool in_open = true, child_gone = false;
	sigset_t winch;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &t->saved) == 0) {
		struct termios raw = t->saved;

		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
			t->raw = true;
	}
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigprocmask(SIG_BLOCK, &winch, NULL);
	sigfd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		return isolab_error_errno(err, -errno, "-t: signalfd");
	fcntl(t->master, F_SETFL, fcntl(t->master, F_GETFL) | O_NONBLOCK);
	for (;;) {
		struct pollfd p[4] = {
			{ .fd = t->master, .events = POLLIN },
			{ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		int rc;

		/* Once the child is gone, drain the master without waiting. */
		if (poll(p, 4, child_gone ? 0 : -1) < 0) {
			if (errno == EINTR)
				continue;
			return isolab_error_errno(err, -errno, "-t: poll");
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = pump(t->master, STDOUT_FILENO);
			if (rc <= 0)
				break;
		} else if (child_gone) {
			break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			in_open = pump(STDIN_FILENO, t->master) > 0;
			if (!in_open && !t->raw) {
				/* stdin (not a terminal) ended: an end-of-file
				 * character ends the container's read too. */
				struct termios inner;

				if (tcgetattr(t->master, &inner) == 0)
					isolab_write_all(t->master, (const char *)&inner.c_cc[VEOF], 1);
			}
		}
		if (p[3].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			copy_winsize(STDIN_FILENO, t->master);
		}
		if (p[2].revents & POLLIN)
			child_gone = true;
	}
	return 0;
}

void ctr_tty_close(struct ctr_tty *t)
{
	if (t->raw) {
		tcsetattr(STDIN_FILENO, TCSADRAIN, &t->saved);
		t->raw = false;
	}
	if (t->master >= 0)
		close(t->master);
	t->master = -1;
}
