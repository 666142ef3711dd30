/*
 * child_msg.h: what the container's first process tells the runtime, one
 * SOCK_SEQPACKET datagram per message: its phase timestamps, the pty
 * master it made (-t), or the error that stopped it before the user
 * program ran. The socket is close-on-exec, so EOF after the last
 * message means the program is running. Shared by the runtime's child
 * (child.c) and the exec helper (exec_shim.c), which reports a failed exec
 * of the user program the same way.
 */
#ifndef ISOLAB_CONTAINER_CHILD_MSG_H
#define ISOLAB_CONTAINER_CHILD_MSG_H

#include "common/error.h"

enum {
	MSG_TIMES = 1,
	MSG_ERROR = 2,
	MSG_TTY = 3,     /* carries the pty master */
	MSG_CREATED = 4, /* `create`: all set up, now waiting on exec.fifo (state.h) */
	MSG_HOOKS = 5,   /* mounts made, before pivot_root: the runtime runs the prestart
			  * and createRuntime hooks (hooks.h) and answers CTR_HOOKS_ACK
			  * followed by the state JSON */
};

#define CTR_HOOKS_ACK 'H'
#define CTR_HOOKS_STATE_MAX 65536 /* the ack's state JSON, bytes */

struct ctr_child_msg {
	int type;
	int status;                  /* MSG_ERROR: the exit status to use */
	int code;                    /* MSG_ERROR: the negative errno behind it */
	unsigned long long times[4]; /* mounts, pivot, exec, child started */
	char text[ISOLAB_ERROR_MSG_MAX];
};

/* Sends m whole (retrying on EINTR); a closed peer is ignored. */
void ctr_child_send(int sock, const struct ctr_child_msg *m);

/* The MSG_ERROR for err, with the exit status to report. Pure. */
void ctr_child_msg_from_error(struct ctr_child_msg *m, int status, const struct isolab_error *err);

/* The runtime's side: err from a received MSG_ERROR (its text, always
 * terminated, and its errno; -EIO when the sender gave none). Returns
 * err->code. Pure. */
int ctr_child_msg_to_error(const struct ctr_child_msg *m, struct isolab_error *err);

/* Sends MSG_ERROR with status and err's message and errno, then _exit(status). */
__attribute__((noreturn)) void ctr_child_fail(int sock, int status, const struct isolab_error *err);

#endif
