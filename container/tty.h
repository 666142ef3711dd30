/*
 * tty.h: -t, a terminal of the container's own.
 *
 * The container never shares the caller's terminal as its controlling one
 * (it calls setsid(), run.c), so TIOCSTI cannot push input into the
 * caller's shell. With -t the child, once in its root, opens a
 * pseudo-terminal pair on the container's own devpts (/dev/ptmx), makes
 * the slave its controlling terminal and its stdin, stdout and stderr,
 * and passes the master to the runtime (SCM_RIGHTS, runc's console
 * socket); the runtime puts the caller's terminal in
 * raw mode (restored at the end), relays bytes between it and the master,
 * copies the window size at start and on every SIGWINCH, as runc's and
 * crun's console handling does.
 */
#ifndef ISOLAB_CONTAINER_TTY_H
#define ISOLAB_CONTAINER_TTY_H

#include <stdbool.h>
#include <termios.h>

#include "common/error.h"

struct ctr_tty {
	int master;            /* -1 when closed */
	bool raw;              /* the caller's terminal was put in raw mode */
	struct termios saved;  /* its settings before */
};

/* Child, after setsid() and pivot_root: opens /dev/ptmx and its slave,
 * makes the slave the controlling terminal and fds 0, 1, 2; returns the
 * master (close-on-exec) or a negative errno. */
int ctr_tty_create(struct isolab_error *err);

/* Parent: the master arrived; copy the caller's window size to it. */
void ctr_tty_adopt(struct ctr_tty *t, int master);

/* Parent, once the child runs: relays until the child (pidfd) exits and
 * the master has nothing more to say. Returns 0 or a negative errno. */
int ctr_tty_relay(struct ctr_tty *t, int pidfd, struct isolab_error *err);

/* Restores the caller's terminal and closes what is open. */
void ctr_tty_close(struct ctr_tty *t);

#endif
