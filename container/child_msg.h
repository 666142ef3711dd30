/*
 * child_msg.h: what the container's first process tells the runtime, one
 * SOCK_SEQPACKET datagram per message: its phase timestamps, the pty
 * master it made (-t), or the error that stopped it before the user
 * program ran. The socket is close-on-exec, so EOF after the last
 * message means the program is running. Shared by the runtime's child
 * (run.c) and the exec helper (exec_shim.c), which reports a failed exec
 * of the user program the same way.
 */
#ifndef ISOLAB_CONTAINER_CHILD_MSG_H
#define ISOLAB_CONTAINER_CHILD_MSG_H

#include "common/error.h"

enum { MSG_TIMES = 1, MSG_ERROR = 2, MSG_TTY = 3 /* carries the pty master */ };

struct ctr_child_msg {
	int type;
	int status;                  /* MSG_ERROR: the exit status to use */
	unsigned long long times[4]; /* mounts, pivot, exec, child started */
	char text[ISOLAB_ERROR_MSG_MAX];
};

/* Sends m whole (retrying on EINTR); a closed peer is ignored. */
void ctr_child_send(int sock, const struct ctr_child_msg *m);

/* Sends MSG_ERROR with status and err's message, then _exit(status). */
__attribute__((noreturn)) void ctr_child_fail(int sock, int status, const struct isolab_error *err);

#endif
